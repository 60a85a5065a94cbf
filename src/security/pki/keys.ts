// RSA keys come from node:crypto (OpenSSL, far faster than forge's JavaScript keygen); forge only
// receives them to sign what node:crypto cannot create: certificates and CSRs.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateRsa = promisify(generateKeyPair);

export const DEFAULT_KEY_BITS = 2048;

export interface RsaKey {
  /** PKCS#8 PEM, the form written to disk. */
  pem: string;
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

export async function generateRsaKey(bits: number = DEFAULT_KEY_BITS): Promise<RsaKey> {
  if (!Number.isInteger(bits) || bits < 2048) throw new RangeError(`RSA key size ${bits} is below 2048 bits`);
  const pair = await generateRsa('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const spki = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { pem, privateKey: forge.pki.privateKeyFromPem(pem), publicKey: forge.pki.publicKeyFromPem(spki) };
}

/** Reads back a key this module wrote, to sign further certificates with it. */
export function rsaKeyFromPem(pem: string): RsaKey {
  const privateKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { pem, privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
}
