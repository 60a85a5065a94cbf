// Every queue body is JSON with one parser and one encoder here, used by producer and consumer
// alike, so the shape a queue carries is written down once.
import type { z } from 'zod';
import { createError } from '../errors/index.js';

/** A queue body that is not what its queue's contract says. Never worth a retry as it is. */
export class QueueContractError extends createError('QUEUE_CONTRACT', 500, 'Malformed queue message') {
  constructor(
    readonly queue: string,
    detail: string,
  ) {
    super(`malformed ${queue} message: ${detail}`);
  }
}

export function encodeBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** The body read as JSON and checked against `schema`; a QueueContractError names the first problem. */
export function parseBody<T>(queue: string, schema: z.ZodType<T>, body: Buffer): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new QueueContractError(queue, `not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new QueueContractError(queue, `${where}: ${issue.message}`);
  }
  return result.data;
}
