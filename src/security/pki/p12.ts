// PKCS#12 import for certificates issued through NHS onboarding as a .p12/.pfx file. node-forge
// only unpacks the container (MAC, decryption, bags); every check on what comes out (key matches
// certificate, which certificate issued which) is node:crypto's.

import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { createError } from '../../errors/index.js';

/** Thrown for a file we cannot import; `message` is one line. */
export class Pkcs12Error extends createError('PKCS12_UNREADABLE', 400, 'Unreadable PKCS#12 file') {}

export interface Pkcs12Contents {
  /** The certificate whose public key matches the private key. */
  leaf: X509Certificate;
  /** CA certificates that issued the leaf, nearest first, self-signed roots excluded. */
  intermediates: X509Certificate[];
  /** Self-signed CA certificates in the chain (trust anchors: for ca.pem, after review). */
  roots: X509Certificate[];
  /** Certificates that are not part of the leaf's chain (reported, not written). */
  unrelated: X509Certificate[];
  /** The private key as PKCS#8 PEM. */
  keyPem: string;
}

const MAX_CHAIN = 8;

/** Unpacks a PKCS#12 file: exactly one private key, and the certificate that matches it. */
export function readPkcs12(der: Uint8Array, password: string): Pkcs12Contents {
  const p12 = openContainer(der, password);
  const keys = keyBags(p12);
  if (keys.length === 0) throw new Pkcs12Error('contains no private key');
  if (keys.length > 1) throw new Pkcs12Error(`contains ${keys.length} private keys; expected one`);
  const privateKey = toKeyObject(keys[0]!);
  const certificates = certificateBags(p12);
  if (certificates.length === 0) throw new Pkcs12Error('contains no certificate');

  const leaf = certificates.find((cert) => cert.checkPrivateKey(privateKey));
  if (!leaf) throw new Pkcs12Error('contains no certificate that matches its private key');
  const chain: X509Certificate[] = [];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN && !isSelfSigned(current); depth++) {
    const issuer = certificates.find(
      (candidate) => candidate !== current && !chain.includes(candidate) && issuedBy(current, candidate),
    );
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return {
    leaf,
    intermediates: chain.filter((cert) => !isSelfSigned(cert)),
    roots: chain.filter(isSelfSigned),
    unrelated: certificates.filter((cert) => cert !== leaf && !chain.includes(cert)),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export interface ImportedFiles {
  certFile: string;
  keyFile: string;
  /** Written only when the file carried a self-signed root. */
  caFile?: string;
  contents: Pkcs12Contents;
}

/**
 * Writes `cert.pem` (leaf, then intermediates), `key.pem` (mode 0600) and, if the file carried
 * one, `ca.pem` (its roots) into `outDir`. Refuses to overwrite any of them.
 */
export function writePkcs12Files(contents: Pkcs12Contents, outDir: string): ImportedFiles {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const certFile = join(outDir, 'cert.pem');
  const keyFile = join(outDir, 'key.pem');
  const caFile = contents.roots.length > 0 ? join(outDir, 'ca.pem') : undefined;
  for (const file of [certFile, keyFile, caFile]) {
    if (file && existsSync(file)) throw new Pkcs12Error(`${file} already exists; not overwriting it`);
  }
  // The key first: if it cannot be written, no certificate is left behind without it.
  writeFileSync(keyFile, contents.keyPem, { mode: 0o600, flag: 'wx' });
  writeFileSync(certFile, pemBundle([contents.leaf, ...contents.intermediates]), { flag: 'wx' });
  if (caFile) writeFileSync(caFile, pemBundle(contents.roots), { flag: 'wx' });
  return caFile ? { certFile, keyFile, caFile, contents } : { certFile, keyFile, contents };
}

function openContainer(der: Uint8Array, password: string): forge.pkcs12.Pkcs12Pfx {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
  } catch {
    throw new Pkcs12Error('is not a PKCS#12 file (not DER)');
  }
  try {
    return forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/MAC could not be verified|wrong password|Invalid password/i.test(message))
      throw new Pkcs12Error('wrong password (the PKCS#12 integrity check failed)');
    throw new Pkcs12Error(`cannot be read: ${message.split('\n')[0]}`);
  }
}

type Bag = forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };

function keyBags(p12: forge.pkcs12.Pkcs12Pfx): Bag[] {
  const { pkcs8ShroudedKeyBag, keyBag } = forge.pki.oids;
  return [pkcs8ShroudedKeyBag!, keyBag!].flatMap(
    (bagType) => (p12.getBags({ bagType })[bagType] ?? []) as Bag[],
  );
}

/** forge parses RSA keys; for any other kind it leaves the PrivateKeyInfo as ASN.1. */
function toKeyObject(bag: Bag): KeyObject {
  const info = bag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key as forge.pki.rsa.PrivateKey))
    : bag.asn1;
  if (!info) throw new Pkcs12Error('has a private key bag with no key in it');
  try {
    return createPrivateKey({ key: derBytes(info), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new Pkcs12Error(`has a private key node:crypto cannot read: ${(error as Error).message}`);
  }
}

function certificateBags(p12: forge.pkcs12.Pkcs12Pfx): X509Certificate[] {
  const bagType = forge.pki.oids.certBag!;
  return ((p12.getBags({ bagType })[bagType] ?? []) as Bag[]).map((bag, index) => {
    // forge keeps the signed TBSCertificate as parsed, so re-encoding gives the original DER.
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    if (!asn1) throw new Pkcs12Error(`certificate ${index + 1} is empty`);
    try {
      return new X509Certificate(derBytes(asn1));
    } catch (error) {
      throw new Pkcs12Error(`certificate ${index + 1} does not parse: ${(error as Error).message}`);
    }
  });
}

function derBytes(asn1: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

const issuedBy = (cert: X509Certificate, issuer: X509Certificate) =>
  cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

const isSelfSigned = (cert: X509Certificate) => issuedBy(cert, cert);

function pemBundle(certificates: X509Certificate[]): string {
  return certificates.map((cert) => cert.toString()).join('');
}
