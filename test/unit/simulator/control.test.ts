// The control API as an express Router: routes matched exactly as GET /control/ lists them.
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  type ControlDeps,
  controlRouter,
  FaultInjector,
  ReceivedLog,
  type ReceivedMessage,
} from '../../../src/simulator/index.js';

function app(received = new ReceivedLog()): {
  app: express.Express;
  calls: unknown[];
  faults: FaultInjector;
} {
  const calls: unknown[] = [];
  const faults = new FaultInjector(0, 'SPINE-1');
  const deps: ControlDeps = {
    faults,
    received,
    requests: {
      slotPoll: async (body) => {
        calls.push(['slot-poll', body]);
        return { messageId: 'M-1' };
      },
      booking: async (body) => {
        calls.push(['booking', body]);
        return { messageId: 'M-2' };
      },
      cancellation: async (body) => {
        calls.push(['cancellation', body]);
        return { messageId: 'M-3' };
      },
    },
    sds: { directory: [], apiKey: '' },
  };
  const served = express();
  served.use(controlRouter(deps));
  served.use((_request, response) => {
    response.status(404).json({ title: 'Not found' });
  });
  return { app: served, calls, faults };
}

describe('control router', () => {
  it('lists every route it serves at /control/ and /control', async () => {
    const { app: served } = app();
    const listed = await request(served).get('/control/').expect(200);
    await request(served).get('/control').expect(200, listed.body);
    const paths = (listed.body.routes as { method: string; path: string }[]).map(
      (r) => `${r.method} ${r.path}`,
    );
    expect(paths).toContain('PUT /control/faults');
    expect(paths).toContain('GET /sds/*');
    expect(Object.keys(listed.body.faults)).toContain('dropAcks');
  });

  it('matches paths exactly: case and a trailing slash count', async () => {
    const { app: served } = app();
    await request(served).get('/control/faults').expect(200);
    await request(served).get('/CONTROL/faults').expect(404);
    await request(served).get('/control/faults/').expect(404);
    await request(served).delete('/control/faults').expect(404);
  });

  it('PUT /control/faults changes the faults named, refuses an unknown one with 400', async () => {
    const { app: served, faults } = app();
    const changed = await request(served).put('/control/faults').send({ dropAcks: true }).expect(200);
    expect(changed.body).toMatchObject({ dropAcks: true, applicationAck: 'AA' });
    expect(faults.dropAcks).toBe(true);
    const refused = await request(served).put('/control/faults').send({ dropAll: true }).expect(400);
    expect(refused.body.detail).toContain('dropAll');
  });

  it('hands the JSON body to the e-RS request it starts', async () => {
    const { app: served, calls } = app();
    await request(served)
      .post('/control/booking-requests')
      .send({ ubrn: '123456789012' })
      .expect(200, { messageId: 'M-2' });
    await request(served).post('/control/slot-polls').expect(200, { messageId: 'M-1' });
    expect(calls).toEqual([
      ['booking', { ubrn: '123456789012' }],
      ['slot-poll', {}],
    ]);
  });

  it('serves the SDS API under its prefix', async () => {
    const { app: served } = app();
    const answer = await request(served)
      .get('/sds/Device?organization=X')
      .expect('Content-Type', /fhir\+json/);
    expect(answer.status).not.toBe(404);
  });

  it('keeps only the newest messages it received, oldest first, and counts those let go', async () => {
    const received = new ReceivedLog(4);
    for (let n = 0; n < 23; n++) received.push(receivedMessage(`M-${n}`));
    const { app: served } = app(received);
    const answer = await request(served).get('/control/messages').expect(200);
    expect(answer.body.messages.map((m: ReceivedMessage) => m.messageId)).toEqual([
      'M-19',
      'M-20',
      'M-21',
      'M-22',
    ]);
    expect(answer.body.dropped).toBe(19);
  });
});

function receivedMessage(messageId: string): ReceivedMessage {
  return {
    messageId,
    action: 'REPC_IN150016UK05',
    service: 'urn:nhs:names:services:ebs',
    conversationId: messageId,
    from: 'GATEWAY-1',
    to: 'SPINE-1',
    cpaId: 'S20001A000182',
    receivedAt: '2026-12-04T12:00:00.000Z',
    signature: { present: false },
    duplicateElimination: true,
    syncReply: false,
    signalsSent: [],
  };
}
