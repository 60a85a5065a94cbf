/** A failure before any HTTP answer. `certificate` failures are configuration errors, not worth a retry. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    readonly certificate: boolean,
  ) {
    super(message);
  }
}
