// Key and certificate signing request for NHS endpoint onboarding (HSCN / Spine endpoint certificates).
import forge from 'node-forge';
import { DEFAULT_KEY_BITS, generateRsaKey } from './keys.js';

export interface CsrResult {
  /** PKCS#8 PEM private key: keep it secret, it never leaves the host. */
  keyPem: string;
  csrPem: string;
}

// A host name or FQDN: labels of letters, digits and hyphens.
const FQDN =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Key and CSR as NHS endpoint onboarding asks for: RSA 2048, subject CN=<FQDN> only, SHA-256. */
export async function createCsr(commonName: string, keyBits: number = DEFAULT_KEY_BITS): Promise<CsrResult> {
  if (!FQDN.test(commonName)) throw new Error(`CSR common name "${commonName}" is not a host name`);
  const key = await generateRsaKey(keyBits);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = key.publicKey;
  csr.setSubject([{ name: 'commonName', value: commonName }]);
  csr.sign(key.privateKey, forge.md.sha256.create());
  return { keyPem: key.pem, csrPem: forge.pki.certificationRequestToPem(csr) };
}
