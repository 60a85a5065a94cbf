/** A TLS file that cannot be used; `message` is one line naming the file and why. */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}
