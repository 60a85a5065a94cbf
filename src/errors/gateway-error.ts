/** What an error means to whoever meets it: a stable code, and the HTTP status and title an API client gets. */
export interface ErrorSpec {
  /** Stable and machine-readable (e.g. 'INVALID_SUBMISSION'): logs, the CLI and the store thread match on it. */
  code: string;
  /** 4xx: the caller's to fix; 502–504: a service the gateway depends on; 500: a fault in the gateway. */
  status: number;
  /** The problem title (RFC 9457) when it reaches the API as it is. */
  title: string;
  /** Told to an API client as Retry-After: try again then. */
  retryAfterSeconds?: number;
}

/**
 * The base of every error the gateway anticipates. Its code and status say what it means once, so
 * the API (problem+json), the CLI (one line) and the store's thread read it the same way instead of
 * matching class names as strings.
 */
export class GatewayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly retryAfterSeconds?: number;

  constructor(spec: ErrorSpec, message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = spec.code;
    this.status = spec.status;
    this.title = spec.title;
    if (spec.retryAfterSeconds !== undefined) this.retryAfterSeconds = spec.retryAfterSeconds;
  }

  /** Whether the fault is the gateway's own (a bug), not its user's or a service's. */
  get internal(): boolean {
    return this.status === 500;
  }

  /** What crosses a thread or process boundary: enough to rebuild it (see fromJSON). */
  toJSON(): ErrorSpec & { name: string; message: string } {
    const spec: ErrorSpec & { name: string; message: string } = {
      name: this.name,
      message: this.message,
      code: this.code,
      status: this.status,
      title: this.title,
    };
    if (this.retryAfterSeconds !== undefined) spec.retryAfterSeconds = this.retryAfterSeconds;
    return spec;
  }

  /** A GatewayError with the same code, status, name and message as one described by toJSON. */
  static fromJSON(described: ErrorSpec & { name: string; message: string }): GatewayError {
    const error = new GatewayError(described, described.message);
    error.name = described.name;
    return error;
  }
}

/**
 * A GatewayError class with its code, status and title fixed, to extend under the domain's own
 * name: `class NotAcceptedError extends createError('NOT_ACCEPTED', 503, 'Not accepted') {}`.
 */
export function createError(
  code: string,
  status: number,
  title: string,
  more: { retryAfterSeconds?: number } = {},
) {
  const spec: ErrorSpec = { code, status, title, ...more };
  return class extends GatewayError {
    static readonly code = code;
    constructor(message?: string, options?: ErrorOptions) {
      super(spec, message, options);
    }
  };
}

/** Whether `error` is a GatewayError (with `code`, when given), however it was built. */
export function isGatewayError(error: unknown, code?: string): error is GatewayError {
  return error instanceof GatewayError && (code === undefined || error.code === code);
}
