import { createError } from '../../errors/index.js';
/** A TLS file that cannot be used; `message` is one line naming the file and why. */
export class TlsConfigError extends createError('TLS_CONFIG_INVALID', 400, 'Unusable TLS file') {}
