import { createError } from '../errors/index.js';
/** A failure before any HTTP answer. `certificate` failures are configuration errors, not worth a retry. */
export class TransportError extends createError('SPINE_UNREACHABLE', 502, 'Spine did not answer') {
  constructor(
    message: string,
    readonly certificate: boolean,
  ) {
    super(message);
  }
}
