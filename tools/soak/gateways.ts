import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedProcess } from './processes.js';
import type { Random } from './random.js';

export interface GatewayInstance {
  name: string;
  apiPort: number;
  inboundPort: number;
  process: ManagedProcess;
}

export interface PostResult {
  status: number;
  body: Record<string, unknown>;
  /** Tries that got no HTTP answer (the instance died under the request) or a 503. */
  retries: number;
  /** A try got no HTTP answer: the gateway may have accepted a request whose answer was lost. */
  answerLost: boolean;
}

/**
 * The PAS's view of the gateway's REST API: any live instance will do, and a request that gets no
 * answer (the instance died) or a 503 (RabbitMQ away) is tried again on a live instance.
 */
export class GatewayApis {
  constructor(
    readonly instances: GatewayInstance[],
    private readonly random: Random,
  ) {}

  live(): GatewayInstance[] {
    return this.instances.filter((instance) => instance.process.up);
  }

  async post(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
    options: { attempts?: number } = {},
  ): Promise<PostResult> {
    const attempts = options.attempts ?? 60;
    let answerLost = false;
    let last: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const live = this.live();
      if (live.length === 0) {
        await sleep(250);
        continue;
      }
      const instance = this.random.pick(live);
      try {
        const response = await fetch(`http://127.0.0.1:${instance.apiPort}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        last = { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
        if (response.status !== 503) return { ...last, retries: attempt, answerLost };
      } catch {
        answerLost = true;
      }
      await sleep(Math.min(200 * (attempt + 1), 1_000));
    }
    return { ...last, retries: attempts, answerLost };
  }
}
