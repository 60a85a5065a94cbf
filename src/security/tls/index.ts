export { TlsContext } from './context.js';
export { TlsConfigError } from './errors.js';
export { type LoadedTls, loadTls, type TlsFiles } from './load.js';
export {
  clientOptions,
  MIN_RSA_BITS,
  serverOptions,
  TLS_CIPHERS,
  TLS_MIN_VERSION,
  weakKeyProblem,
} from './options.js';
