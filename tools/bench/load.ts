import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One PAS request's fate, as the PAS saw it. */
export interface Posted {
  status: number;
  messageId?: string;
  /** POST sent (or, at a fixed rate, due) → answer read, in milliseconds. */
  latencyMs: number;
  retryAfter?: string;
  /** Why there was no answer at all (status 0), e.g. ECONNRESET. */
  error?: string;
}

/**
 * The PAS: POSTs slot cancellations (PRSC_IN100000UK06, forward-reliable, signed) over keep-alive
 * HTTP, to each gateway instance's API in turn. A plain http.Agent, not fetch: the driver shares
 * the machine, so it should cost little.
 */
export class PasClient {
  private readonly agent: http.Agent;
  private readonly urls: URL[];
  private next = 0;

  constructor(baseUrls: string | readonly string[], maxSockets: number) {
    this.urls = (typeof baseUrls === 'string' ? [baseUrls] : baseUrls).map(
      (base) => new URL('/cab/slot-cancellations', base),
    );
    if (this.urls.length === 0) throw new Error('PasClient needs at least one gateway API');
    // maxSockets is per host:port, so each instance may have them all in flight.
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** `startedAt` (performance.now()) lets a fixed-rate run count from when the request was due. */
  postSlotCancellation(startedAt = performance.now()): Promise<Posted> {
    const body = JSON.stringify({ usrns: [randomUUID()] });
    const url = this.urls[this.next++ % this.urls.length]!;
    return new Promise((resolve) => {
      const request = http.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const latencyMs = performance.now() - startedAt;
            const status = response.statusCode ?? 0;
            let messageId: string | undefined;
            if (status === 202)
              messageId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messageId: string })
                .messageId;
            const retryAfter = response.headers['retry-after'];
            resolve({
              status,
              latencyMs,
              ...(messageId ? { messageId } : {}),
              ...(retryAfter ? { retryAfter } : {}),
            });
          });
          response.on('error', (error: NodeJS.ErrnoException) =>
            resolve({
              status: 0,
              latencyMs: performance.now() - startedAt,
              error: error.code ?? error.message,
            }),
          );
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ status: 0, latencyMs: performance.now() - startedAt, error: error.code ?? error.message }),
      );
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadResult {
  posted: Posted[];
  /** First request sent → last answer read, in milliseconds (wall clock, Date.now based). */
  startedAtMs: number;
  endedAtMs: number;
}

/** `concurrency` PAS requests in flight at all times until `messages` have been answered. */
export async function runAtConcurrency(
  client: PasClient,
  messages: number,
  concurrency: number,
): Promise<LoadResult> {
  const posted: Posted[] = [];
  let next = 0;
  const startedAtMs = Date.now();
  const loop = async () => {
    while (next < messages) {
      next += 1;
      const result = await client.postSlotCancellation();
      posted.push(result);
      // Back-pressure: a 503 asks us to wait; count it and slow down as told.
      if (result.status === 503) await sleep(retryAfterMs(result.retryAfter));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { posted, startedAtMs, endedAtMs: Date.now() };
}

/**
 * Open loop: one request every 1/rate seconds whatever the answers, for `seconds`. Latency counts
 * from when the request was due, so a stalled gateway cannot hide its stall (no coordinated omission).
 */
export async function runAtRate(client: PasClient, rate: number, seconds: number): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const pending: Promise<void>[] = [];
  const posted: Posted[] = [];
  const startedAtMs = Date.now();
  const origin = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = origin + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(client.postSlotCancellation(due).then((result) => void posted.push(result)));
  }
  await Promise.all(pending);
  return { posted, startedAtMs, endedAtMs: Date.now() };
}

function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 5_000) : 100;
}
