// Certificate issuance with node-forge. Generation only: nothing here verifies anything
// (forge's verification code has a CVE history; checks use node:crypto, see inspect.ts and tls/).
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import type { RsaKey } from './keys.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Certificates start an hour in the past so peers with a slow clock accept them at once. */
const CLOCK_SKEW_MS = HOUR_MS;

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export function validityFrom(now: Date, days: number): Validity {
  return {
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  };
}

/** A positive 127-bit serial number, as hex (RFC 5280 asks for ≤ 20 octets, positive, unpredictable). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function newCertificate(key: RsaKey, subject: forge.pki.CertificateField[], validity: Validity) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  cert.setSubject(subject);
  return cert;
}

export interface IssuedCertificate {
  pem: string;
  certificate: forge.pki.Certificate;
}

export function issueCa(key: RsaKey, commonName: string, validity: Validity): IssuedCertificate {
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'mhs-gateway development' },
  ];
  const cert = newCertificate(key, subject, validity);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.privateKey, forge.md.sha256.create());
  return { pem: forge.pki.certificateToPem(cert), certificate: cert };
}

/**
 * subjectAltName entries: the host itself, any extra names (e.g. container service names), then
 * localhost and 127.0.0.1 for local runs.
 */
function altNames(host: string, extra: readonly string[]): { type: number; value?: string; ip?: string }[] {
  const names = [host, ...extra, 'localhost', '127.0.0.1'].filter((name, i, all) => all.indexOf(name) === i);
  // GeneralName tags: 2 = dNSName, 7 = iPAddress.
  return names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }));
}

/** A leaf certificate usable both as TLS server and TLS client (mutual TLS in both directions). */
export function issueLeaf(
  key: RsaKey,
  host: string,
  validity: Validity,
  ca: { certificate: forge.pki.Certificate; key: RsaKey },
  extraNames: readonly string[] = [],
): IssuedCertificate {
  const cert = newCertificate(key, [{ name: 'commonName', value: host }], validity);
  cert.setIssuer(ca.certificate.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: altNames(host, extraNames) },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: ca.certificate.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(ca.key.privateKey, forge.md.sha256.create());
  return { pem: forge.pki.certificateToPem(cert), certificate: cert };
}
