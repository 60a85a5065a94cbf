// Certificate details for `pki inspect` and readiness checks, read with node:crypto (never forge).
import { X509Certificate } from 'node:crypto';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  /** ISO 8601, UTC. */
  validFrom: string;
  validTo: string;
  /** Whole days until validTo; negative once expired. */
  daysRemaining: number;
  subjectAltName?: string;
  fingerprint256: string;
  keyBits?: number;
  isCa: boolean;
}

const DAY_MS = 86_400_000;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every CERTIFICATE block of a PEM bundle, in order. */
export function pemCertificates(pem: string): string[] {
  return pem.match(PEM_CERTIFICATE) ?? [];
}

// node:crypto prints distinguished names one attribute per line.
const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');

/** Summaries of every certificate in a PEM bundle; throws when there is none or one does not parse. */
export function inspectCertificates(pem: string, now: Date = new Date()): CertificateSummary[] {
  const blocks = pemCertificates(pem);
  if (blocks.length === 0) throw new Error('no PEM certificate found');
  return blocks.map((block, index) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch (error) {
      throw new Error(`certificate ${index + 1} does not parse: ${(error as Error).message}`);
    }
    const validTo = new Date(cert.validTo);
    const summary: CertificateSummary = {
      subject: oneLine(cert.subject),
      issuer: oneLine(cert.issuer),
      serialNumber: cert.serialNumber,
      validFrom: new Date(cert.validFrom).toISOString(),
      validTo: validTo.toISOString(),
      daysRemaining: Math.floor((validTo.getTime() - now.getTime()) / DAY_MS),
      fingerprint256: cert.fingerprint256,
      isCa: cert.ca,
    };
    if (cert.subjectAltName !== undefined) summary.subjectAltName = cert.subjectAltName;
    const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength;
    if (bits !== undefined) summary.keyBits = bits;
    return summary;
  });
}
