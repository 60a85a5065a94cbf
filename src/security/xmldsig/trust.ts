// Whether the certificate in KeyInfo may sign for us: pinned or issued by a configured anchor,
// RSA of adequate size, and valid both at the message timestamp and now.
import type crypto from 'node:crypto';

const MIN_RSA_BITS = 2048;

export interface TrustCheck {
  trusted: crypto.X509Certificate[];
  at?: Date;
  now: Date;
}

/** Returns a one-line reason when the signer must be refused, otherwise undefined. */
export function signerProblem(cert: crypto.X509Certificate, check: TrustCheck): string | undefined {
  const anchored = check.trusted.some(
    (anchor) => anchor.raw.equals(cert.raw) || (cert.checkIssued(anchor) && cert.verify(anchor.publicKey)),
  );
  if (!anchored) return `signer certificate "${oneLine(cert.subject)}" is not trusted`;

  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa') return `signer key type ${key.asymmetricKeyType} is not RSA`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) return `signer RSA key is ${bits} bits, under ${MIN_RSA_BITS}`;

  if (check.at && !validAt(cert, check.at)) {
    return `signer certificate is not valid at the message time ${check.at.toISOString()}`;
  }
  if (!validAt(cert, check.now)) return `signer certificate is not valid now (${check.now.toISOString()})`;
  return undefined;
}

function validAt(cert: crypto.X509Certificate, when: Date): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  const t = when.getTime();
  return Number.isFinite(from) && Number.isFinite(to) && t >= from && t <= to;
}

function oneLine(subject: string): string {
  return subject.split('\n').join(', ');
}
