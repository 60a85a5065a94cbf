import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCsr,
  type DevPkiPaths,
  devPkiPaths,
  ensureDevPki,
  initDevPki,
  inspectCertificates,
} from '../../../../src/security/pki/index.js';
import { loadTls } from '../../../../src/security/tls/index.js';
import { openssl, tempDir } from './tools.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const read = (file: string) => readFileSync(file, 'utf8');

describe('devPkiPaths', () => {
  it('names the six files in the directory', () => {
    expect(devPkiPaths('/etc/mhs/pki')).toEqual({
      dir: '/etc/mhs/pki',
      caCert: '/etc/mhs/pki/ca.pem',
      caKey: '/etc/mhs/pki/ca.key',
      gatewayCert: '/etc/mhs/pki/gateway.pem',
      gatewayKey: '/etc/mhs/pki/gateway.key',
      simulatorCert: '/etc/mhs/pki/simulator.pem',
      simulatorKey: '/etc/mhs/pki/simulator.key',
    });
  });
});

describe('initDevPki', () => {
  const temp = tempDir('pki');
  let paths: DevPkiPaths;
  let created: boolean;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    ({ created, paths } = await initDevPki({
      dir: join(temp.dir, 'pki'),
      gatewayHost: 'gateway.test',
      simulatorHost: 'simulator.test',
      validDays: 30,
    }));
  });
  afterAll(() => temp.remove());

  it('creates the CA and both leaves, in a directory it creates', () => {
    expect(created).toBe(true);
    expect(paths).toEqual(devPkiPaths(join(temp.dir, 'pki')));
    for (const file of Object.values(paths)) expect(existsSync(file)).toBe(true);
  });

  it('writes keys readable by the owner only', () => {
    for (const key of [paths.caKey, paths.gatewayKey, paths.simulatorKey]) {
      expect((statSync(key).mode & 0o777).toString(8)).toBe('600');
    }
  });

  it('issues leaves that openssl verifies against the CA, for TLS server and client use', () => {
    for (const cert of [paths.gatewayCert, paths.simulatorCert]) {
      for (const purpose of ['sslserver', 'sslclient']) {
        const run = openssl(['verify', '-purpose', purpose, '-CAfile', paths.caCert, cert]);
        expect(run.stderr).toBe('');
        expect(run.stdout.trim()).toBe(`${cert}: OK`);
      }
    }
  });

  it('lets openssl tell a leaf from a certificate of another CA', async () => {
    const other = await initDevPki({ dir: join(temp.dir, 'other') });
    const run = openssl(['verify', '-CAfile', paths.caCert, other.paths.gatewayCert]);
    expect(run.status).not.toBe(0);
  });

  it('names the host, localhost and 127.0.0.1 in subjectAltName, with both extended key usages', () => {
    const text = openssl([
      'x509',
      '-in',
      paths.gatewayCert,
      '-noout',
      '-ext',
      'subjectAltName,extendedKeyUsage',
    ]).stdout;
    expect(text).toContain('DNS:gateway.test, DNS:localhost, IP Address:127.0.0.1');
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(new X509Certificate(read(paths.simulatorCert)).subject).toBe('CN=simulator.test');
  });

  it('makes a CA certificate and leaf certificates that are not CAs', () => {
    expect(new X509Certificate(read(paths.caCert)).ca).toBe(true);
    expect(new X509Certificate(read(paths.gatewayCert)).ca).toBe(false);
    expect(openssl(['x509', '-in', paths.caCert, '-noout', '-ext', 'basicConstraints']).stdout).toContain(
      'CA:TRUE',
    );
  });

  it('backdates certificates by an hour and keeps leaves for validDays', () => {
    const leaf = new X509Certificate(read(paths.gatewayCert));
    const notBefore = new Date(leaf.validFrom).getTime();
    const notAfter = new Date(leaf.validTo).getTime();
    expect(Math.abs(notBefore - (startedAt - HOUR_MS))).toBeLessThan(60_000);
    expect(Math.abs(notAfter - (startedAt + 30 * DAY_MS))).toBeLessThan(60_000);
    const ca = new X509Certificate(read(paths.caCert));
    expect(new Date(ca.validTo).getTime()).toBeGreaterThan(notAfter);
  });

  it('produces files loadTls accepts for both parties', () => {
    const gateway = loadTls({ cert: paths.gatewayCert, key: paths.gatewayKey, ca: paths.caCert });
    const simulator = loadTls({ cert: paths.simulatorCert, key: paths.simulatorKey, ca: paths.caCert });
    expect(gateway.certificate.subject).toBe('CN=gateway.test');
    expect(simulator.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('keeps existing files unless forced', async () => {
    const before = Object.values(paths).slice(1).map(read);
    const again = await initDevPki({ dir: paths.dir });
    expect(again.created).toBe(false);
    expect(Object.values(paths).slice(1).map(read)).toEqual(before);

    const forced = await initDevPki({ dir: paths.dir, force: true });
    expect(forced.created).toBe(true);
    const after = Object.values(paths).slice(1).map(read);
    for (const [i, content] of after.entries()) expect(content).not.toBe(before[i]);
    expect((statSync(paths.gatewayKey).mode & 0o777).toString(8)).toBe('600');
    expect(openssl(['verify', '-CAfile', paths.caCert, paths.gatewayCert]).stdout.trim()).toBe(
      `${paths.gatewayCert}: OK`,
    );
  });

  it('re-issues a missing leaf from the existing CA and leaves the rest alone', async () => {
    const ca = read(paths.caCert);
    const gateway = read(paths.gatewayCert);
    const simulator = read(paths.simulatorCert);
    unlinkSync(paths.simulatorKey);
    const result = await initDevPki({ dir: paths.dir });
    expect(result.created).toBe(true);
    expect(read(paths.caCert)).toBe(ca);
    expect(read(paths.gatewayCert)).toBe(gateway);
    expect(read(paths.simulatorCert)).not.toBe(simulator);
    expect(() =>
      loadTls({ cert: paths.simulatorCert, key: paths.simulatorKey, ca: paths.caCert }),
    ).not.toThrow();
  });
});

describe('initDevPki with extra hosts (compose service names)', () => {
  const temp = tempDir('pki-hosts');
  afterAll(() => temp.remove());
  const dnsNames = (file: string) =>
    (new X509Certificate(read(file)).subjectAltName ?? '')
      .split(', ')
      .filter((name) => name.startsWith('DNS:'))
      .map((name) => name.slice(4));

  it('names every extra host (and IP address) in both leaves', async () => {
    const { paths } = await initDevPki({ dir: temp.dir, hosts: ['gateway-1', 'simulator', '10.1.2.3'] });
    expect(dnsNames(paths.gatewayCert)).toEqual(['localhost', 'gateway-1', 'simulator']);
    expect(dnsNames(paths.simulatorCert)).toEqual(['localhost', 'gateway-1', 'simulator']);
    const gateway = new X509Certificate(read(paths.gatewayCert));
    expect(gateway.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(gateway.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(gateway.checkHost('gateway-2')).toBeUndefined();
  });

  it('keeps leaves that already name the hosts; re-issues them from the same CA when a host is added', async () => {
    const paths = devPkiPaths(temp.dir);
    const ca = read(paths.caCert);
    const gateway = read(paths.gatewayCert);
    expect((await initDevPki({ dir: temp.dir, hosts: ['simulator'] })).created).toBe(false);
    expect(read(paths.gatewayCert)).toBe(gateway);
    const grown = await initDevPki({ dir: temp.dir, hosts: ['gateway-1', 'gateway-2', 'simulator'] });
    expect(grown.created).toBe(true);
    expect(read(paths.caCert)).toBe(ca);
    expect(dnsNames(paths.gatewayCert)).toEqual(['localhost', 'gateway-1', 'gateway-2', 'simulator']);
    expect(openssl(['verify', '-CAfile', paths.caCert, paths.gatewayCert]).stdout.trim()).toBe(
      `${paths.gatewayCert}: OK`,
    );
    expect(() => loadTls({ cert: paths.gatewayCert, key: paths.gatewayKey, ca: paths.caCert })).not.toThrow();
  });
});

describe('ensureDevPki', () => {
  const temp = tempDir('pki-ensure');
  afterAll(() => temp.remove());

  it('creates the PKI on first use and reuses it afterwards', async () => {
    const paths = await ensureDevPki(temp.dir);
    expect(paths).toEqual(devPkiPaths(temp.dir));
    const ca = read(paths.caCert);
    await ensureDevPki(temp.dir);
    expect(read(paths.caCert)).toBe(ca);
  });
});

describe('createCsr', () => {
  const temp = tempDir('csr');
  afterAll(() => temp.remove());

  it('makes a self-signed SHA-256 CSR with an RSA 2048 key and CN only', async () => {
    const { keyPem, csrPem } = await createCsr('mhs.trust.nhs.uk');
    const csrFile = join(temp.dir, 'endpoint.csr');
    writeFileSync(csrFile, csrPem);
    const verify = openssl(['req', '-in', csrFile, '-verify', '-noout']);
    expect(verify.status).toBe(0);
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/verify OK/);
    expect(openssl(['req', '-in', csrFile, '-noout', '-subject', '-nameopt', 'RFC2253']).stdout.trim()).toBe(
      'subject=CN=mhs.trust.nhs.uk',
    );
    const text = openssl(['req', '-in', csrFile, '-noout', '-text']).stdout;
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toContain('sha256WithRSAEncryption');
    const csrKey = openssl(['req', '-in', csrFile, '-noout', '-pubkey']).stdout;
    expect(createPublicKey(keyPem).export({ type: 'spki', format: 'pem' })).toBe(csrKey);
  });

  it('refuses a common name that is not a host name', async () => {
    await expect(createCsr('not a host')).rejects.toThrow(/not a host name/);
    await expect(createCsr('')).rejects.toThrow(/not a host name/);
  });
});

describe('inspectCertificates', () => {
  const temp = tempDir('inspect');
  let paths: DevPkiPaths;
  beforeAll(async () => {
    ({ paths } = await initDevPki({ dir: temp.dir, gatewayHost: 'gateway.test', validDays: 100 }));
  });
  afterAll(() => temp.remove());

  it('summarises every certificate of a bundle in order', () => {
    const leaf = new X509Certificate(read(paths.gatewayCert));
    const now = new Date(new Date(leaf.validTo).getTime() - 10.5 * DAY_MS);
    const [gateway, ca, ...rest] = inspectCertificates(read(paths.gatewayCert) + read(paths.caCert), now);
    expect(rest).toEqual([]);
    expect(gateway).toMatchObject({
      subject: 'CN=gateway.test',
      issuer: expect.stringMatching(/^CN=mhs-gateway development CA [0-9a-f]{8}, O=mhs-gateway development$/),
      serialNumber: leaf.serialNumber,
      validTo: new Date(leaf.validTo).toISOString(),
      daysRemaining: 10,
      subjectAltName: 'DNS:gateway.test, DNS:localhost, IP Address:127.0.0.1',
      keyBits: 2048,
      isCa: false,
    });
    const fingerprint = openssl([
      'x509',
      '-in',
      paths.gatewayCert,
      '-noout',
      '-fingerprint',
      '-sha256',
    ]).stdout;
    expect(fingerprint.trim()).toBe(`sha256 Fingerprint=${gateway!.fingerprint256}`);
    expect(ca).toMatchObject({ subject: gateway!.issuer, isCa: true });
    expect(ca!.subjectAltName).toBeUndefined();
  });

  it('counts days remaining down past zero once expired', () => {
    const leaf = new X509Certificate(read(paths.gatewayCert));
    const later = new Date(new Date(leaf.validTo).getTime() + 2.5 * DAY_MS);
    expect(inspectCertificates(read(paths.gatewayCert), later)[0]!.daysRemaining).toBe(-3);
  });

  it('refuses input without a certificate', () => {
    expect(() => inspectCertificates(read(paths.gatewayKey))).toThrow(/no PEM certificate/);
    expect(() => inspectCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
      /certificate 1 does not parse/,
    );
  });
});
