import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runImportP12 } from '../../../../src/cli/p12.js';
import { Pkcs12Error, readPkcs12, writePkcs12Files } from '../../../../src/security/pki/index.js';
import { loadTls } from '../../../../src/security/tls/index.js';
import { openssl, tempDir } from './tools.js';

/** A root CA, an intermediate and a leaf made by openssl, packed by `openssl pkcs12 -export`. */
function makeChain(dir: string): void {
  const run = (args: string[]) => {
    const result = openssl(args);
    if (result.status !== 0) throw new Error(`openssl ${args[0]}: ${result.stderr}`);
  };
  const f = (name: string) => join(dir, name);
  writeFileSync(f('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(
    f('leaf.ext'),
    'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost\n',
  );
  run(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('root.key'), '-out', f('root.pem')].concat(
      ['-subj', '/CN=Test Root CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE'],
    ),
  );
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('int.key'),
    '-out',
    f('int.csr'),
    '-subj',
    '/CN=Test Sub CA',
  ]);
  run(
    [
      'x509',
      '-req',
      '-in',
      f('int.csr'),
      '-CA',
      f('root.pem'),
      '-CAkey',
      f('root.key'),
      '-set_serial',
      '2',
    ].concat(['-out', f('int.pem'), '-days', '20', '-extfile', f('ca.ext')]),
  );
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('leaf.key'),
    '-out',
    f('leaf.csr'),
    '-subj',
    '/CN=localhost',
  ]);
  run(
    [
      'x509',
      '-req',
      '-in',
      f('leaf.csr'),
      '-CA',
      f('int.pem'),
      '-CAkey',
      f('int.key'),
      '-set_serial',
      '3',
    ].concat(['-out', f('leaf.pem'), '-days', '10', '-extfile', f('leaf.ext')]),
  );
  writeFileSync(f('chain.pem'), readFileSync(f('root.pem'), 'utf8') + readFileSync(f('int.pem'), 'utf8'));
  // OpenSSL 3 defaults: AES-256-CBC/PBKDF2 bags and an HMAC-SHA256 MAC.
  run(
    ['pkcs12', '-export', '-inkey', f('leaf.key'), '-in', f('leaf.pem'), '-certfile', f('chain.pem')].concat([
      '-out',
      f('gateway.p12'),
      '-passout',
      'pass:correct horse',
    ]),
  );
  run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ec.key')]);
  run(['req', '-x509', '-key', f('ec.key'), '-out', f('ec.pem'), '-subj', '/CN=ec.example', '-days', '5']);
  run([
    'pkcs12',
    '-export',
    '-inkey',
    f('ec.key'),
    '-in',
    f('ec.pem'),
    '-out',
    f('ec.p12'),
    '-passout',
    'pass:pw',
  ]);
  run(['pkcs12', '-export', '-nokeys', '-in', f('root.pem'), '-out', f('nokey.p12'), '-passout', 'pass:pw']);
}

describe('PKCS#12 import', () => {
  const tmp = tempDir('p12');
  const f = (name: string) => join(tmp.dir, name);
  beforeAll(() => makeChain(tmp.dir));
  afterAll(() => tmp.remove());

  it('unpacks the leaf, orders the chain, and finds the matching key', () => {
    const contents = readPkcs12(readFileSync(f('gateway.p12')), 'correct horse');
    expect(contents.leaf.subject).toBe('CN=localhost');
    expect(contents.intermediates.map((c) => c.subject)).toEqual(['CN=Test Sub CA']);
    expect(contents.roots.map((c) => c.subject)).toEqual(['CN=Test Root CA']);
    expect(contents.unrelated).toEqual([]);
    // Byte for byte the certificates openssl made, and the key openssl made.
    expect(contents.leaf.raw.equals(derOf(f('leaf.pem')))).toBe(true);
    expect(contents.intermediates[0]!.raw.equals(derOf(f('int.pem')))).toBe(true);
    expect(openssl(['pkey'], contents.keyPem).stdout).toBe(openssl(['pkey', '-in', f('leaf.key')]).stdout);
  });

  it('writes cert.pem (leaf then intermediates), key.pem 0600 and ca.pem, which loadTls accepts', () => {
    const out = f('out-api');
    const written = writePkcs12Files(readPkcs12(readFileSync(f('gateway.p12')), 'correct horse'), out);
    expect(statSync(written.keyFile).mode & 0o777).toBe(0o600);
    const certPem = readFileSync(written.certFile, 'utf8');
    expect(certPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(certPem.startsWith(readFileSync(f('leaf.pem'), 'utf8').trim().split('\n')[0]!)).toBe(true);
    const loaded = loadTls({ cert: written.certFile, key: written.keyFile, ca: written.caFile! });
    expect(loaded.certificate.subject).toBe('CN=localhost');
    // openssl agrees the written chain verifies against the written root.
    const verify = openssl([
      'verify',
      '-CAfile',
      written.caFile!,
      '-untrusted',
      written.certFile,
      written.certFile,
    ]);
    expect(verify.stdout).toContain('OK');
    expect(() => writePkcs12Files(readPkcs12(readFileSync(f('gateway.p12')), 'correct horse'), out)).toThrow(
      /already exists; not overwriting it/,
    );
  });

  it('reads an EC key that forge itself cannot parse', () => {
    const contents = readPkcs12(readFileSync(f('ec.p12')), 'pw');
    expect(contents.leaf.subject).toBe('CN=ec.example');
    expect(contents.keyPem).toContain('BEGIN PRIVATE KEY');
    expect(contents.intermediates).toEqual([]);
    expect(contents.roots.map((c) => c.subject)).toEqual([]);
  });

  it('refuses a wrong password, a file without a key, and bytes that are not PKCS#12', () => {
    expect(() => readPkcs12(readFileSync(f('gateway.p12')), 'wrong')).toThrow(
      new Pkcs12Error('wrong password (the PKCS#12 integrity check failed)'),
    );
    expect(() => readPkcs12(readFileSync(f('nokey.p12')), 'pw')).toThrow('contains no private key');
    expect(() => readPkcs12(Buffer.from('not a pkcs12 file'), 'pw')).toThrow(Pkcs12Error);
  });

  describe('mhs-gateway pki import-p12', () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    afterAll(() => stdout.mockRestore());

    it('takes the password from the variable --password-env names', async () => {
      vi.stubEnv('P12_PASSWORD', 'correct horse');
      await runImportP12([f('gateway.p12'), '--out', f('out-env'), '--password-env', 'P12_PASSWORD']);
      vi.unstubAllEnvs();
      expect(readFileSync(f('out-env/cert.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
      expect(statSync(f('out-env/key.pem')).mode & 0o777).toBe(0o600);
      expect(String(stdout.mock.calls.at(-1)?.[0])).toMatch(/wrote .*cert\.pem \(certificate CN=localhost/);
    });

    it('takes the password piped on stdin', async () => {
      const stdin = vi
        .spyOn(process, 'stdin', 'get')
        .mockReturnValue(Readable.from([Buffer.from('correct horse\n')]) as unknown as typeof process.stdin);
      try {
        await runImportP12([f('gateway.p12'), '--out', f('out-stdin')]);
      } finally {
        stdin.mockRestore();
      }
      expect(readFileSync(f('out-stdin/key.pem'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    });

    it('stops with one line for a wrong password or an unset variable, writing nothing', async () => {
      vi.stubEnv('P12_PASSWORD', 'wrong');
      await expect(
        runImportP12([f('gateway.p12'), '--out', f('out-bad'), '--password-env', 'P12_PASSWORD']),
      ).rejects.toThrow(
        `PKCS#12 file ${f('gateway.p12')}: wrong password (the PKCS#12 integrity check failed)`,
      );
      vi.unstubAllEnvs();
      expect(() => statSync(f('out-bad/key.pem'))).toThrow(/ENOENT/);
      await expect(
        runImportP12([f('gateway.p12'), '--out', f('out-bad'), '--password-env', 'NO_SUCH_VARIABLE_X']),
      ).rejects.toThrow('--password-env NO_SUCH_VARIABLE_X: that variable is not set');
    });
  });
});

/** The DER inside a one-certificate PEM file openssl wrote. */
function derOf(pemFile: string): Buffer {
  return Buffer.from(readFileSync(pemFile, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
}
