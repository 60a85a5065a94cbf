// Test certificates the development PKI never makes (expired, not yet valid), issued with forge
// from an existing CA: generation only, which is all forge is trusted with.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `mhs-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A leaf certificate and key issued by the CA in caCert/caKey with the given validity. */
export function issueLeaf(
  caCertFile: string,
  caKeyFile: string,
  notBefore: Date,
  notAfter: Date,
): { certPem: string; keyPem: string } {
  const ca = forge.pki.certificateFromPem(readFileSync(caCertFile, 'utf8'));
  const caKey = forge.pki.privateKeyFromPem(readFileSync(caKeyFile, 'utf8'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.serialNumber = '0a1b2c3d';
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** A self-signed CA with the same name as the real one but its own key: only a signature check catches it. */
export function impostorCa(caCertFile: string): { certPem: string; keyPem: string } {
  const real = forge.pki.certificateFromPem(readFileSync(caCertFile, 'utf8'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.serialNumber = '01';
  cert.validity.notBefore = real.validity.notBefore;
  cert.validity.notAfter = real.validity.notAfter;
  cert.setSubject(real.subject.attributes);
  cert.setIssuer(real.subject.attributes);
  cert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Confirms with openssl that a fixture is what the test says it is, so the test cannot pass vacuously. */
export function opensslDates(certFile: string): string {
  try {
    return execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-dates'], { encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('openssl is not installed');
    throw error;
  }
}
