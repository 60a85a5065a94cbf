/** A C&B payload we cannot build or read; `element` is the path of the element at fault, if any. */
export class CabError extends Error {
  override readonly name = 'CabError';
  readonly element?: string;

  constructor(message: string, element?: string) {
    super(message);
    this.element = element;
  }
}
