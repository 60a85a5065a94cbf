import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { admissionLimit } from '../../../src/api/admission.js';

/** An app whose submissions wait until the test lets them go, so "in progress" is exact. */
function slowApp(maxInFlight: number) {
  const waiting: (() => void)[] = [];
  let shed = 0;
  const app = express();
  app.use(admissionLimit(maxInFlight, () => (shed += 1)));
  app.post('/cab/slot-cancellations', (_req, res) => {
    waiting.push(() => res.status(202).json({ status: 'ACCEPTED' }));
  });
  app.get('/messages/:id', (_req, res) => res.json({ ok: true }));
  return { app, waiting, shedCount: () => shed };
}

describe('admission limit (back-pressure)', () => {
  it('answers 503 with Retry-After past maxInFlight, still serves reads, and admits again once work finishes', async () => {
    const { app, waiting, shedCount } = slowApp(2);
    const server = app.listen(0);
    try {
      const agent = request(server);
      const first = agent
        .post('/cab/slot-cancellations')
        .send({})
        .then((r) => r);
      const second = agent
        .post('/cab/slot-cancellations')
        .send({})
        .then((r) => r);
      while (waiting.length < 2) await new Promise((r) => setTimeout(r, 5));

      const refused = await agent.post('/cab/slot-cancellations').send({});
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ title: 'Gateway busy', status: 503 });
      expect(refused.body.detail).toMatch(/api\.maxInFlight 2/);
      expect(shedCount()).toBe(1);
      expect((await agent.get('/messages/x')).status).toBe(200);

      for (const release of waiting.splice(0)) release();
      expect((await first).status).toBe(202);
      expect((await second).status).toBe(202);
      const admitted = agent
        .post('/cab/slot-cancellations')
        .send({})
        .then((r) => r);
      while (waiting.length < 1) await new Promise((r) => setTimeout(r, 5));
      waiting.shift()!();
      expect((await admitted).status).toBe(202);
    } finally {
      server.close();
    }
  });

  it('frees the slot of a request whose client went away', async () => {
    const { app, waiting } = slowApp(1);
    const server = app.listen(0);
    try {
      const agent = request(server);
      const abandoned = agent.post('/cab/slot-cancellations').timeout(100).send({});
      await expect(abandoned).rejects.toThrow(/Timeout/);
      while (waiting.length < 1) await new Promise((r) => setTimeout(r, 5));
      // The abandoned request's slot is free, though its handler never answered.
      const next = agent
        .post('/cab/slot-cancellations')
        .send({})
        .then((r) => r);
      while (waiting.length < 2) await new Promise((r) => setTimeout(r, 5));
      waiting[1]!();
      expect((await next).status).toBe(202);
    } finally {
      server.close();
    }
  });
});
