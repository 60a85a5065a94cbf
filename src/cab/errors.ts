import { createError } from '../errors/index.js';
/** A C&B payload we cannot build or read; `element` is the path of the element at fault, if any. */
export class CabError extends createError('CAB_PAYLOAD_INVALID', 400, 'Invalid request') {
  readonly element?: string;

  constructor(message: string, element?: string) {
    super(message);
    this.element = element;
  }
}
