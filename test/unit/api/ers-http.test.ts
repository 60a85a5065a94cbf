// The reading of an acting /ers route's request, shared by decisions and A&G.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { actionRequest } from '../../../src/api/ers-http.js';

const bodies = { note: z.strictObject({ text: z.string() }), nothing: z.strictObject({}) };
let server: ReturnType<express.Express['listen']>;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.post('/x/:ubrn/:action', (request, response) => {
    const acting = actionRequest(request, response, bodies);
    if (acting) response.json(acting);
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (path: string, body: unknown, key = 'key-12345678') =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
    body: JSON.stringify(body),
  });

describe('an acting request', () => {
  it('gives the action, UBRN, key and checked body', async () => {
    const answer = await post('/x/000012345678/note', { text: 'hello' });
    expect(await answer.json()).toEqual({
      action: 'note',
      ubrn: '000012345678',
      idempotencyKey: 'key-12345678',
      body: { text: 'hello' },
    });
  });

  it('answers 404 for an action it does not know, 400 for a bad UBRN, key or body', async () => {
    const unknown = await post('/x/000012345678/toString', {});
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toBe(
      'POST /x/000012345678/toString is not an API route',
    );
    expect((await post('/x/12345/note', { text: 'a' })).status).toBe(400);
    expect((await post('/x/000012345678/note', { text: 'a' }, '')).status).toBe(400);
    expect((await post('/x/000012345678/nothing', { extra: 1 })).status).toBe(400);
  });
});
