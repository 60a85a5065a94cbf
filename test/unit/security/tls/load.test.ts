import { X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevPkiPaths, initDevPki } from '../../../../src/security/pki/index.js';
import { loadTls, TlsConfigError, type TlsFiles } from '../../../../src/security/tls/index.js';
import { impostorCa, issueLeaf, opensslDates, tempDir } from './fixtures.js';

const temp = tempDir('tls-load');
let pki: DevPkiPaths;
let other: DevPkiPaths;
let gateway: TlsFiles;

beforeAll(async () => {
  ({ paths: pki } = await initDevPki({ dir: join(temp.dir, 'pki'), gatewayHost: 'gateway.test' }));
  ({ paths: other } = await initDevPki({ dir: join(temp.dir, 'other') }));
  gateway = { cert: pki.gatewayCert, key: pki.gatewayKey, ca: pki.caCert };
});
afterAll(() => temp.remove());

function file(name: string, content: string): string {
  const path = join(temp.dir, name);
  writeFileSync(path, content);
  return path;
}

/** The TlsConfigError loadTls throws, checked to be a single line naming `names`. */
function failure(files: TlsFiles, names: string, now?: Date): string {
  try {
    loadTls(files, now);
  } catch (error) {
    expect(error).toBeInstanceOf(TlsConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(names);
    return message;
  }
  throw new Error('loadTls accepted the files');
}

describe('loadTls', () => {
  it('loads a certificate, its key and the CA bundle', () => {
    const tls = loadTls(gateway);
    expect(tls.certificate.subject).toBe('CN=gateway.test');
    expect(tls.caCertificates).toHaveLength(1);
    expect(tls.caCertificates[0]!.subject).toMatch(
      /^CN=mhs-gateway development CA [0-9a-f]{8}\nO=mhs-gateway development$/,
    );
    expect(tls.certificate.issuer).toBe(tls.caCertificates[0]!.subject);
    expect(tls.privateKey.type).toBe('private');
    expect(tls.cert).toContain('BEGIN CERTIFICATE');
    expect(tls.key).toContain('BEGIN PRIVATE KEY');
  });

  it('accepts a CA bundle holding several CAs', () => {
    const bundle = file(
      'bundle.pem',
      `${readFileSync(other.caCert, 'utf8')}${readFileSync(pki.caCert, 'utf8')}`,
    );
    expect(loadTls({ ...gateway, ca: bundle }).caCertificates).toHaveLength(2);
  });

  it('names a missing file', () => {
    const missing = join(temp.dir, 'nowhere.pem');
    expect(failure({ ...gateway, cert: missing }, missing)).toBe(`TLS certificate ${missing} does not exist`);
    expect(failure({ ...gateway, key: missing }, missing)).toBe(`TLS private key ${missing} does not exist`);
    expect(failure({ ...gateway, ca: missing }, missing)).toBe(`TLS CA bundle ${missing} does not exist`);
  });

  it('names a path that cannot be read as a file', () => {
    const dir = join(temp.dir, 'a-directory');
    mkdirSync(dir);
    expect(failure({ ...gateway, key: dir }, dir)).toBe(`TLS private key ${dir} is a directory`);
  });

  it.skipIf(process.getuid?.() === 0)('names a file without read permission', () => {
    const locked = join(temp.dir, 'locked.key');
    copyFileSync(pki.gatewayKey, locked);
    chmodSync(locked, 0o000);
    expect(failure({ ...gateway, key: locked }, locked)).toMatch(/is not readable \(permission denied\)$/);
  });

  it('names a file that is not PEM', () => {
    const garbage = file('garbage.pem', 'this is not a certificate\n');
    expect(failure({ ...gateway, cert: garbage }, garbage)).toBe(
      `TLS certificate ${garbage} contains no PEM certificate`,
    );
    expect(failure({ ...gateway, ca: garbage }, garbage)).toBe(
      `TLS CA bundle ${garbage} contains no PEM certificate`,
    );
    expect(failure({ ...gateway, key: garbage }, garbage)).toMatch(
      /^TLS private key \S+ does not parse as a PEM private key/,
    );
  });

  it('names a PEM certificate whose contents are garbage', () => {
    const broken = file(
      'broken.pem',
      '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
    );
    expect(failure({ ...gateway, cert: broken }, broken)).toMatch(/^TLS certificate \S+ does not parse: /);
  });

  it('names an expired certificate with its end date', () => {
    const leaf = issueLeaf(
      pki.caCert,
      pki.caKey,
      new Date('2024-01-01T00:00:00Z'),
      new Date('2025-01-01T00:00:00Z'),
    );
    const cert = file('expired.pem', leaf.certPem);
    expect(opensslDates(cert)).toContain('notAfter=Jan  1 00:00:00 2025 GMT');
    const key = file('expired.key', leaf.keyPem);
    expect(failure({ cert, key, ca: pki.caCert }, cert)).toBe(
      `TLS certificate ${cert} has expired (valid to 2025-01-01T00:00:00Z)`,
    );
  });

  it('names a certificate that is not yet valid', () => {
    const start = new Date(Date.now() + 86_400_000);
    const leaf = issueLeaf(pki.caCert, pki.caKey, start, new Date(Date.now() + 10 * 86_400_000));
    const cert = file('future.pem', leaf.certPem);
    const key = file('future.key', leaf.keyPem);
    expect(failure({ cert, key, ca: pki.caCert }, cert)).toMatch(/is not yet valid \(valid from \S+Z\)$/);
  });

  it('checks validity against the given clock, for the certificate and its CA', () => {
    const farFuture = new Date(Date.now() + 5000 * 86_400_000);
    expect(failure(gateway, pki.gatewayCert, farFuture)).toMatch(/has expired/);
    const beforeCa = new Date(Date.now() - 2 * 3_600_000);
    const leaf = issueLeaf(
      pki.caCert,
      pki.caKey,
      new Date(Date.now() - 86_400_000),
      new Date(Date.now() + 86_400_000),
    );
    const cert = file('older-than-ca.pem', leaf.certPem);
    const key = file('older-than-ca.key', leaf.keyPem);
    expect(failure({ cert, key, ca: pki.caCert }, pki.caCert, beforeCa)).toMatch(
      /^TLS CA certificate \S+ is not yet valid/,
    );
  });

  it('names a key that does not match the certificate', () => {
    const message = failure({ ...gateway, key: pki.simulatorKey }, pki.simulatorKey);
    expect(message).toBe(
      `TLS private key ${pki.simulatorKey} does not match the certificate ${pki.gatewayCert}`,
    );
  });

  it('names a certificate not issued by any CA in the bundle', () => {
    const message = failure(
      { cert: other.gatewayCert, key: other.gatewayKey, ca: pki.caCert },
      other.gatewayCert,
    );
    expect(message).toMatch(
      /^TLS certificate \S+ is not issued by any CA in \S+ \(issuer: CN=mhs-gateway development CA/,
    );
    expect(message).toContain(pki.caCert);
  });

  it('refuses a certificate whose issuer name matches the CA but whose signature does not', () => {
    const impostor = impostorCa(pki.caCert);
    const impostorCert = file('impostor-ca.pem', impostor.certPem);
    const impostorKey = file('impostor-ca.key', impostor.keyPem);
    const day = 86_400_000;
    const leaf = issueLeaf(impostorCert, impostorKey, new Date(Date.now() - day), new Date(Date.now() + day));
    const cert = file('impostor-leaf.pem', leaf.certPem);
    const key = file('impostor-leaf.key', leaf.keyPem);
    expect(new X509Certificate(leaf.certPem).checkIssued(new X509Certificate(readFileSync(pki.caCert)))).toBe(
      true,
    );
    expect(failure({ cert, key, ca: pki.caCert }, cert)).toMatch(/is not issued by any CA/);
    expect(() => loadTls({ cert, key, ca: impostorCert })).not.toThrow();
  });
});
