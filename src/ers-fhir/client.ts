import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createError } from '../errors/index.js';
import { backoffMs, type RateLimiter } from './limiter.js';
import { type ErsError, readOperationOutcome, versionFromEtag } from './outcome.js';
import type { TokenClient } from './token.js';

/** Who a call is made as: the application (a token from the TokenClient) or a user's session passed through. */
export interface UserContext {
  accessToken: string;
  businessFunction: string;
  odsCode?: string;
  onBehalfOfUserId?: string;
}

export interface FhirRequest {
  /** The e-RS endpoint id (A005, A008…), for metrics and messages. */
  endpoint: string;
  method: 'GET' | 'POST';
  /** Relative to the base URL, e.g. `STU3/ReferralRequest/000000070000`. */
  path: string;
  body?: unknown;
  /** The referral version we hold: sent as If-Match W/"n". */
  ifMatch?: number;
  user?: UserContext;
}

export interface FhirAnswer {
  status: number;
  json?: unknown;
  /** From the ETag header (W/"n"). */
  version?: number;
  error: ErsError;
  retryAfter?: string;
}

/** e-RS could not be reached or did not answer in time; nothing is known about the outcome. */
export class FhirTransportError extends createError('ERS_UNREACHABLE', 504, 'e-RS did not answer', {
  retryAfterSeconds: 30,
}) {}

export interface FhirClientSettings {
  baseUrl: string;
  odsCode: string;
  timeoutMs: number;
  maxRetries: number;
  maxJsonBytes?: number;
}

export interface FhirCallObserver {
  called(endpoint: string, status: number | 'error'): void;
}

/** A file that arrived whole: where it is, its SHA-256 (hex) and size. */
export interface Download {
  status: 'downloaded';
  sha256: string;
  size: number;
}

/**
 * Talks to the e-RS FHIR API: the token, the platform headers, the rate limit, back-off on 429 and
 * 503 (Retry-After honoured), one re-minted token after a 401. Answers come back as they are, for
 * the caller to map; only transport failures throw.
 */
export class FhirClient {
  private readonly base: string;

  constructor(
    private readonly settings: FhirClientSettings,
    private readonly tokens: TokenClient,
    private readonly limiter: RateLimiter,
    private readonly observer: FhirCallObserver = { called: () => undefined },
  ) {
    this.base = settings.baseUrl.replace(/\/+$/, '');
  }

  async call(request: FhirRequest): Promise<FhirAnswer> {
    const response = await this.send(request, 'follow');
    const text = await readBounded(response, this.settings.maxJsonBytes ?? 5_000_000);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const version = versionFromEtag(response.headers.get('etag'));
    return {
      status: response.status,
      ...(json !== undefined ? { json } : {}),
      ...(version !== undefined ? { version } : {}),
      error: response.status >= 400 ? readOperationOutcome(json) : {},
      ...(response.headers.get('retry-after') ? { retryAfter: response.headers.get('retry-after')! } : {}),
    };
  }

  /**
   * A042: GET R4/Binary/{id}, then the 307's Location at once, without our Authorization (it is a
   * pre-signed object-store URL); streamed to `file` (mode 0600) with SHA-256, refused past
   * `maxBytes`. A 404 or 501 from A042 falls back to A006 (STU3/Binary/{id}), which answers the
   * file itself. Anything but the file comes back as a FhirAnswer.
   */
  async download(binaryId: string, file: string, maxBytes: number): Promise<Download | FhirAnswer> {
    const id = encodeURIComponent(binaryId);
    let response = await this.send({ endpoint: 'A042', method: 'GET', path: `R4/Binary/${id}` }, 'manual');
    if (response.status === 404 || response.status === 501) {
      await response.body?.cancel();
      response = await this.send({ endpoint: 'A006', method: 'GET', path: `STU3/Binary/${id}` }, 'manual');
    }
    if (response.status === 307 || response.status === 302 || response.status === 303) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) return { status: 502, error: { diagnostics: 'redirect without Location' } };
      const target = new URL(location, response.url || `${this.base}/`);
      if (!(target.protocol === 'https:' || isLoopback(target))) {
        return { status: 502, error: { diagnostics: `redirect to ${target.protocol} refused` } };
      }
      try {
        // No Authorization, no e-RS headers: the object store needs only its signed URL.
        response = await fetch(target, {
          redirect: 'error',
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
      } catch (error) {
        this.observer.called('object-store', 'error');
        throw new FhirTransportError(`object store unreachable: ${(error as Error).message}`);
      }
      this.observer.called('object-store', response.status);
    }
    return this.toFile(response, file, maxBytes);
  }

  /**
   * A PDF e-RS generates, streamed the same way: A007 (POST STU3/ReferralRequest/{ubrn}/$ers.generateCRI,
   * a referral's clinical information summary) or A043 (the same on CommunicationRequest, an
   * Advice and Guidance overview).
   */
  async downloadGenerated(
    endpoint: 'A007' | 'A043',
    resource: 'ReferralRequest' | 'CommunicationRequest',
    ubrn: string,
    file: string,
    maxBytes: number,
  ): Promise<Download | FhirAnswer> {
    const response = await this.send(
      {
        endpoint,
        method: 'POST',
        path: `STU3/${resource}/${encodeURIComponent(ubrn)}/$ers.generateCRI`,
      },
      'manual',
    );
    return this.toFile(response, file, maxBytes);
  }

  private async toFile(response: Response, file: string, maxBytes: number): Promise<Download | FhirAnswer> {
    if (response.status !== 200) {
      const text = await readBounded(response, 100_000).catch(() => '');
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: response.status, error: readOperationOutcome(json) };
    }
    return streamToFile(response, file, maxBytes, this.settings.timeoutMs);
  }

  private async send(request: FhirRequest, redirect: 'follow' | 'manual'): Promise<Response> {
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      await this.limiter.take();
      const token = request.user ? request.user.accessToken : await this.tokens.token();
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Accept: 'application/fhir+json',
        'NHSD-End-User-Organisation-ODS': request.user?.odsCode ?? this.settings.odsCode,
        'X-Correlation-ID': randomUUID(),
      };
      if (request.user) {
        headers['NHSD-eRS-Business-Function'] = request.user.businessFunction;
        if (request.user.onBehalfOfUserId)
          headers['NHSD-eRS-On-Behalf-Of-User-ID'] = request.user.onBehalfOfUserId;
      }
      if (request.ifMatch !== undefined) headers['If-Match'] = `W/"${request.ifMatch}"`;
      if (request.body !== undefined) headers['Content-Type'] = 'application/fhir+json';
      let response: Response;
      try {
        response = await fetch(`${this.base}/${request.path}`, {
          method: request.method,
          headers,
          ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
          redirect: redirect === 'manual' ? 'manual' : 'error',
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
      } catch (error) {
        this.observer.called(request.endpoint, 'error');
        throw new FhirTransportError(`${request.endpoint}: e-RS unreachable: ${(error as Error).message}`);
      }
      this.observer.called(request.endpoint, response.status);
      // A token e-RS no longer accepts (expired early, revoked): one new token, one more try.
      if (response.status === 401 && !request.user && !renewed) {
        renewed = true;
        await response.body?.cancel();
        await this.tokens.renew(token);
        attempt -= 1;
        continue;
      }
      if ((response.status === 429 || response.status === 503) && attempt <= this.settings.maxRetries) {
        const wait = backoffMs(response.headers.get('retry-after'), attempt);
        await response.body?.cancel();
        await sleep(wait);
        continue;
      }
      return response;
    }
  }
}

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function readBounded(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunksOf(response.body)) {
    size += chunk.byteLength;
    if (size > limit) {
      throw new FhirTransportError(`answer over ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams the body to a temporary file, then renames it into place: a partial file is never seen. */
async function streamToFile(
  response: Response,
  file: string,
  maxBytes: number,
  timeoutMs: number,
): Promise<Download | FhirAnswer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return {
      status: 413,
      error: { diagnostics: `attachment of ${declared} bytes is over the ${maxBytes}-byte limit` },
    };
  }
  const partial = `${file}.${randomUUID()}.part`;
  const out = createWriteStream(partial, { mode: 0o600, flags: 'wx' });
  const hash = createHash('sha256');
  let size = 0;
  const deadline = setTimeout(() => response.body?.cancel().catch(() => undefined), timeoutMs * 3);
  try {
    for await (const chunk of chunksOf(response.body)) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new FhirTransportError(`attachment over the ${maxBytes}-byte limit`);
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    if (Number.isFinite(declared) && declared !== size)
      throw new FhirTransportError(`attachment ended after ${size} of ${declared} bytes`);
    await rename(partial, file);
    return { status: 'downloaded', sha256: hash.digest('hex'), size };
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    if (error instanceof FhirTransportError && /limit/.test(error.message))
      return { status: 413, error: { diagnostics: error.message } };
    throw error instanceof FhirTransportError
      ? error
      : new FhirTransportError(`download failed: ${(error as Error).message}`);
  } finally {
    clearTimeout(deadline);
  }
}
