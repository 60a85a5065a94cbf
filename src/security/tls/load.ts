// Reads and checks the TLS files at start-up and on reload, so a bad certificate is reported by
// file name before any peer sees a handshake failure. node:crypto only (never forge).
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TlsConfigError } from './errors.js';

/** File paths of the PEM files for one TLS identity. */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

export interface LoadedTls {
  /** PEM text: the certificate file (leaf first, then any intermediates). */
  cert: string;
  key: string;
  /** PEM text of the trusted CA bundle. */
  ca: string;
  certificate: X509Certificate;
  caCertificates: X509Certificate[];
  privateKey: KeyObject;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_CHAIN = 8;

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
const iso = (date: Date) => date.toISOString().replace(/\.000Z$/, 'Z');
const dn = (name: string) => name.split('\n').filter(Boolean).join(', ');

function readPem(role: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not readable (permission denied)'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${oneLine((error as Error).message)})`;
    throw new TlsConfigError(`${role} ${file} ${why}`);
  }
  return text;
}

function parseCertificates(role: string, file: string, text: string): X509Certificate[] {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new TlsConfigError(`${role} ${file} contains no PEM certificate`);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      const which = blocks.length > 1 ? ` (certificate ${index + 1})` : '';
      throw new TlsConfigError(
        `${role} ${file}${which} does not parse: ${oneLine((error as Error).message)}`,
      );
    }
  });
}

function parseKey(file: string, text: string): KeyObject {
  try {
    return createPrivateKey(text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ERR_MISSING_PASSPHRASE'
        ? 'is encrypted (passphrase-protected keys are not supported)'
        : `does not parse as a PEM private key: ${oneLine((error as Error).message)}`;
    throw new TlsConfigError(`TLS private key ${file} ${why}`);
  }
}

function checkValidity(role: string, file: string, cert: X509Certificate, now: Date): void {
  const validFrom = new Date(cert.validFrom);
  const validTo = new Date(cert.validTo);
  if (now.getTime() > validTo.getTime()) {
    throw new TlsConfigError(`${role} ${file} has expired (valid to ${iso(validTo)})`);
  }
  if (now.getTime() < validFrom.getTime()) {
    throw new TlsConfigError(`${role} ${file} is not yet valid (valid from ${iso(validFrom)})`);
  }
}

const issuedBy = (cert: X509Certificate, issuer: X509Certificate) =>
  cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/** The CA certificate that anchors the leaf, walking any intermediates sent in the cert file. */
function findAnchor(
  leaf: X509Certificate,
  intermediates: X509Certificate[],
  anchors: X509Certificate[],
): X509Certificate | undefined {
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const anchor = anchors.find((ca) => issuedBy(current, ca));
    if (anchor) return anchor;
    const next = intermediates.find(
      (candidate) => candidate !== current && candidate.ca && issuedBy(current, candidate),
    );
    if (!next) return undefined;
    current = next;
  }
  return undefined;
}

/**
 * Reads and checks one TLS identity: the files exist and are readable; the PEMs parse; the
 * certificate is inside its validity period; the key matches the certificate's public key; the
 * certificate chains to a CA in the (non-empty) bundle. Throws TlsConfigError.
 */
export function loadTls(files: TlsFiles, now: Date = new Date()): LoadedTls {
  const certText = readPem('TLS certificate', files.cert);
  const keyText = readPem('TLS private key', files.key);
  const caText = readPem('TLS CA bundle', files.ca);

  const [certificate, ...intermediates] = parseCertificates('TLS certificate', files.cert, certText);
  const privateKey = parseKey(files.key, keyText);
  const caCertificates = parseCertificates('TLS CA bundle', files.ca, caText);

  checkValidity('TLS certificate', files.cert, certificate!, now);

  const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(privateKey)).equals(spki(certificate!.publicKey))) {
    throw new TlsConfigError(`TLS private key ${files.key} does not match the certificate ${files.cert}`);
  }

  const anchor = findAnchor(certificate!, intermediates, caCertificates);
  if (!anchor) {
    throw new TlsConfigError(
      `TLS certificate ${files.cert} is not issued by any CA in ${files.ca} (issuer: ${dn(certificate!.issuer)})`,
    );
  }
  checkValidity('TLS CA certificate', files.ca, anchor, now);

  return { cert: certText, key: keyText, ca: caText, certificate: certificate!, caCertificates, privateKey };
}
