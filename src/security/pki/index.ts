export { type CsrResult, createCsr } from './csr.js';
export { ensureDevPki, type InitOptions, initDevPki } from './dev-pki.js';
export { type CertificateSummary, inspectCertificates } from './inspect.js';
export {
  type ImportedFiles,
  type Pkcs12Contents,
  Pkcs12Error,
  readPkcs12,
  writePkcs12Files,
} from './p12.js';
export { type DevPkiPaths, devPkiPaths } from './paths.js';
