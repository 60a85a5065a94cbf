import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../../src/api/index.js';
import { DASHBOARD_SESSION_COOKIE, dashboardRoutes, escapeHtml, html } from '../../../src/dashboard/index.js';
import { GatewayMetrics, type OpsState } from '../../../src/ops/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>"'&`;

const state: OpsState = {
  at: '2026-11-22T10:00:00.000Z',
  rabbitmqConnected: true,
  queues: [
    { queue: 'mhs.outbound', messages: 4, consumers: 1 },
    { queue: 'mhs.inbound', messages: 0, consumers: 0 },
  ],
  counts: [
    { direction: 'outbound', interactionId: 'PRSC_IN090000UK09', status: 'ACKED', count: 2 },
    { direction: 'outbound', interactionId: HOSTILE, status: 'FAILED', count: 1 },
  ],
  oldestInFlight: {
    messageId: 'OLD-1',
    status: 'RETRYING',
    createdAt: '2026-11-22T09:00:00.000Z',
    ageSeconds: 3600,
  },
  storeBytes: 2_097_152,
  certificate: { validTo: '2026-12-01T00:00:00.000Z', expiresInSeconds: 9 * 86_400 },
  errors: [],
};

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    expect(escapeHtml(HOSTILE)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;',
    );
    const out = html`<a title="${HOSTILE}">${HOSTILE}</a>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('"x"');
    expect(out.match(/"/g)).toHaveLength(2); // only the attribute's own quotes
  });

  it('nests safe fragments, joins arrays and renders nothing for null, undefined and false', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<', '>']}${null}${undefined}${false}${0}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>&lt;&gt;0</p>',
    );
  });
});

describe('dashboard pages', () => {
  const key = generateApiKey();
  const keys = [{ name: 'ops-oncall', sha256: hashApiKey(key), createdAt: '2026-01-01T00:00:00.000Z' }];
  let store: SqliteMessageStore;
  let app: express.Express;
  let open: express.Express;

  beforeAll(async () => {
    store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-dash-')), 'state.db'));
    await store.insert({
      messageId: 'MSG-1',
      direction: 'outbound',
      interactionId: 'PRSC_IN090000UK09',
      conversationId: 'CONV-1',
      status: 'ACCEPTED',
      route: { endpoint: 'https://spine.example/reliablemessaging', retries: 2 },
      http: {
        contentType: 'text/xml',
        soapAction: 'urn:nhs:names:services:ers/PRSC_IN090000UK09',
        body: Buffer.from(
          '<SOAP:Envelope xmlns:SOAP="s"><SOAP:Header><MessageId>MSG-1</MessageId></SOAP:Header><SOAP:Body><given>Jane</given><id root="2.16.840.1.113883.2.1.4.1" extension="9434765919"/></SOAP:Body></SOAP:Envelope>',
        ),
      },
      hl7: '<PRSC_IN090000UK09><given>Jane</given></PRSC_IN090000UK09>',
      data: { nhsNumber: '9434765919', clinicId: 'CLINIC-1' },
    });
    await store.transition('MSG-1', 'SENDING', { detail: HOSTILE });
    await store.transition('MSG-1', 'FAILED', {
      detail: 'retries exhausted',
      patch: { error: [{ errorType: 'ebxml_error', errorCode: 'DeliveryFailure', description: HOSTILE }] },
    });
    await store.insert({
      messageId: 'MSG-2',
      direction: 'inbound',
      interactionId: 'MCCI_IN010000UK13',
      conversationId: 'CONV-1',
      refToMessageId: 'MSG-1',
      status: 'RECEIVED',
    });
    const metrics = new GatewayMetrics({ processMetrics: false });
    const deps = {
      store,
      state: { read: async () => state },
      metrics,
      showPatientData: false,
      eventIntervalMs: 50,
    };
    app = express();
    app.use(
      dashboardRoutes({ ...deps, verifyKey: (k) => keys.find((r) => r.sha256 === hashApiKey(k))?.name }),
    );
    open = express();
    open.use(dashboardRoutes(deps));
  });
  afterAll(() => store?.close());

  const bearer = { Authorization: `Bearer ${key}` };

  it('sends a browser without a key to the login page, keeping where it was going', async () => {
    const response = await request(app).get('/dashboard/messages?id=MSG-1').set('Accept', 'text/html');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/dashboard/login?next=%2Fdashboard%2Fmessages%3Fid%3DMSG-1');
    const events = await request(app).get('/dashboard/events').set('Accept', 'text/event-stream');
    expect(events.status).toBe(401);
  });

  it('logs in with a key into a session: HttpOnly, SameSite=Strict cookie, then the pages accept it', async () => {
    const origin = { Host: 'dash.example', Origin: 'http://dash.example' };
    const refused = await request(app)
      .post('/dashboard/login')
      .set(origin)
      .type('form')
      .send({ key: 'mhs_wrong', next: '/dashboard' });
    expect(refused.status).toBe(401);
    expect(refused.headers['set-cookie']).toBeUndefined();
    const login = await request(app)
      .post('/dashboard/login')
      .set(origin)
      .type('form')
      .send({ key, next: '/dashboard/messages' });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/dashboard/messages');
    const cookie = (login.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith(`${DASHBOARD_SESSION_COOKIE}=`),
    )!;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/dashboard');
    const page = await request(app).get('/dashboard').set('Cookie', cookie.split(';')[0]!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('key ops-oncall');
    expect(page.text).toMatch(/<meta name="csrf-token" content="[\w-]{43}">/);
  });

  it('never redirects a login anywhere but the dashboard', async () => {
    for (const next of ['https://evil.example/', '//evil.example/', '/dashboardevil', '/metrics']) {
      const login = await request(app)
        .post('/dashboard/login')
        .set({ Host: 'dash.example', Origin: 'http://dash.example' })
        .type('form')
        .send({ key, next });
      expect(login.headers.location, next).toBe('/dashboard');
    }
  });

  it('serves the overview with a strict Content-Security-Policy, everything escaped', async () => {
    const response = await request(app).get('/dashboard').set(bearer);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(response.text).not.toContain('<script>alert');
    expect(response.text).not.toContain('<img src=x');
    expect(response.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(response.text).toContain('data-queue="mhs.outbound"');
    expect(response.text).toContain('data-dead-letter="MSG-1"');
    expect(response.text).toContain('data-action="replay"');
    expect(response.text).toContain('2.0 MiB');
    expect(response.text).toMatch(/Certificate[\s\S]*9 d/);
    // The only scripts are the dashboard's own file.
    expect(response.text.match(/<script\b[^>]*>/g)).toEqual([
      '<script src="/dashboard/assets/dashboard.js" defer>',
    ]);
  });

  it("shows a message's history, route, redacted envelope and correlation chain", async () => {
    const response = await request(app).get('/dashboard/messages/MSG-1').set(bearer);
    expect(response.status).toBe(200);
    const page = response.text;
    expect(page).toContain('https://spine.example/reliablemessaging');
    expect(page).toContain('&lt;MessageId&gt;MSG-1&lt;/MessageId&gt;'); // the header stays
    expect(page).not.toContain('Jane');
    expect(page).not.toContain('9434765919');
    expect(page).toContain('*******919');
    expect(page).toContain('DeliveryFailure');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('href="/dashboard/messages/MSG-2"'); // the ack in the same conversation
    expect(page).toContain('Patient data is redacted');
  });

  it('searches by MessageId, then ConversationId, interaction, state and time; refuses a bad state', async () => {
    const byId = await request(app).get('/dashboard/messages?id=msg-1').set(bearer);
    expect(byId.text).toContain('data-results="1"');
    const byConversation = await request(app).get('/dashboard/messages?id=CONV-1').set(bearer);
    expect(byConversation.text).toContain('data-results="2"');
    const byInteraction = await request(app)
      .get('/dashboard/messages?interaction=MCCI_IN010000UK13')
      .set(bearer);
    expect(byInteraction.text).toContain('data-results="1"');
    const future = await request(app).get('/dashboard/messages?from=2999-01-01T00:00').set(bearer);
    expect(future.text).toContain('data-results="0"');
    const bad = await request(app)
      .get(`/dashboard/messages?status=${encodeURIComponent(HOSTILE)}`)
      .set(bearer);
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain('<script>alert');
    const missing = await request(app).get('/dashboard/messages/NOPE').set(bearer);
    expect(missing.status).toBe(404);
  });

  it('pushes the overview sections over server-sent events', async () => {
    const server = http.createServer(app).listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const port = (server.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/dashboard/events`, { headers: bearer });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      let text = '';
      while ((text.match(/event: overview/g) ?? []).length < 2)
        text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      const data = JSON.parse(/event: overview\ndata: (.*)\n/.exec(text)![1]!) as {
        sections: Record<string, string>;
      };
      expect(Object.keys(data.sections)).toEqual(
        expect.arrayContaining(['tiles', 'queues', 'states', 'errors', 'dead-letters', 'trends']),
      );
      expect(data.sections.queues).toContain('mhs.outbound');
      expect(data.sections.states).not.toContain('<script>alert');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('has no login at all when the API has no authentication', async () => {
    expect((await request(open).get('/dashboard')).status).toBe(200);
    expect((await request(open).get('/dashboard/login')).headers.location).toBe('/dashboard');
  });
});

describe('dashboard wording, names and times (issue 18)', () => {
  const names: Record<string, string> = {
    REPC_IN150016UK05: 'GP Summary Update (SCR upload)',
    MCCI_IN010000UK13: 'Application Acknowledgement',
  };
  let clock = new Date('2026-11-22T10:00:00.000Z');
  let store: SqliteMessageStore;
  let app: express.Express;
  const queues = [
    { queue: 'mhs.outbound', messages: 0, consumers: 1 },
    { queue: 'mhs.dead-letter', messages: 2, consumers: 0 },
  ];

  beforeAll(async () => {
    store = new SqliteMessageStore(
      join(mkdtempSync(join(tmpdir(), 'mhs-dash-18-')), 'state.db'),
      () => clock,
    );
    await store.insert({
      messageId: 'OLD-FAIL',
      direction: 'outbound',
      interactionId: 'REPC_IN150016UK05',
      conversationId: 'CONV-OLD',
      status: 'ACCEPTED',
    });
    await store.transition('OLD-FAIL', 'FAILED', {
      detail: 'retries exhausted',
      patch: { replyDeliveredAt: '2026-11-22T10:00:01.000Z' },
    });
    clock = new Date('2026-11-22T11:00:00.000Z');
    await store.insert({
      messageId: 'NEW-NACK',
      direction: 'outbound',
      interactionId: 'REPC_IN150016UK05',
      conversationId: 'CONV-NEW',
      status: 'SENT',
    });
    await store.transition('NEW-NACK', 'NACKED', { detail: 'MessageError' });
    await store.insert({
      messageId: 'ACK-IN',
      direction: 'inbound',
      interactionId: 'MCCI_IN010000UK13',
      conversationId: 'CONV-NEW',
      refToMessageId: 'NEW-NACK',
      status: 'DELIVERED',
    });
    // The operator settles the old failure an hour after the NACK.
    clock = new Date('2026-11-22T12:00:00.000Z');
    expect(await store.resolve('OLD-FAIL', { kind: 'discarded' }, 'discarded by on-call')).toBe(true);
    app = express();
    app.use(
      dashboardRoutes({
        store,
        state: {
          read: async () => ({
            ...state,
            queues,
            counts: [
              ...(await store.countByState()),
              // A final state the store may add later (spine-out): it still gets a column.
              {
                direction: 'outbound',
                interactionId: 'REPC_IN150016UK05',
                status: 'EXPIRED' as never,
                count: 3,
              },
            ],
          }),
        },
        showPatientData: false,
        interactionName: (id) => names[id],
        clock: () => clock,
      }),
    );
  });
  afterAll(() => store?.close());

  it('dates a settled dead letter in Recent errors by its failure, not by when it was settled', async () => {
    const page = (await request(app).get('/dashboard')).text;
    const rows = [...page.matchAll(/<tr data-error="([^"]+)"><td class="nowrap">([^<]+)<\/td>/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(rows).toEqual([
      ['NEW-NACK', '2026-11-22 11:00:00Z'],
      ['OLD-FAIL', '2026-11-22 10:00:00Z'],
    ]);
  });

  it('says what mhs.dead-letter still holds once every dead letter is settled', async () => {
    const page = (await request(app).get('/dashboard')).text;
    expect(page).not.toContain('The dead-letter queue is empty');
    expect(page).toContain('No dead letters wait for an operator.');
    expect(page).toMatch(
      /<span data-parked="2">mhs\.dead-letter still holds 2 notifications: a copy of each failure is published there for monitoring, and Replay or Discard settles the message in the store without removing its copy/,
    );
  });

  it('shows each interaction’s catalogue name beside its code, the arrow and code kept together', async () => {
    const page = (await request(app).get('/dashboard')).text;
    expect(page).toContain(
      '<td><span class="interaction"><span class="code"><span class="dir" title="outbound">→</span> <a class="mono" href="/dashboard/messages?interaction=REPC_IN150016UK05">REPC_IN150016UK05</a></span> <span class="iname">GP Summary Update (SCR upload)</span></span></td>',
    );
    expect(page).toContain(
      'MCCI_IN010000UK13</a></span> <span class="iname">Application Acknowledgement</span>',
    );
    // Columns come from the store's state lists, plus any state the counts carry.
    expect(page).toMatch(/data-state="FAILED"[\s\S]*data-state="DELIVERED"[\s\S]*data-state="EXPIRED"/);
    const search = (await request(app).get('/dashboard/messages?id=CONV-NEW')).text;
    expect(search).toContain('<span class="iname">Application Acknowledgement</span>');
    const message = (await request(app).get('/dashboard/messages/ACK-IN')).text;
    expect(message).toContain('<span class="iname">Application Acknowledgement</span>');
  });

  it('words what reached the PAS for a failure as a failure notice, not a reply', async () => {
    const page = (await request(app).get('/dashboard/messages/OLD-FAIL')).text;
    expect(page).toContain('<dt>Failure notified to PAS</dt><dd>2026-11-22 10:00:01Z</dd>');
    expect(page).not.toContain('Reply delivered to PAS');
  });

  it('takes search times as typed 24-hour UTC, with no locale-formatted date picker', async () => {
    const form = (await request(app).get('/dashboard/messages')).text;
    expect(form).not.toContain('datetime-local');
    expect(form).toContain('placeholder="2026-11-22 10:00:00"');
    const window = await request(app).get(
      `/dashboard/messages?from=${encodeURIComponent('2026-11-22 10:30')}&to=${encodeURIComponent('2026-11-22 11:30:00')}`,
    );
    expect(window.text).toContain('data-results="2"'); // NEW-NACK and ACK-IN, not OLD-FAIL
    const bad = await request(app).get('/dashboard/messages?from=11/22/2026%2010:00%20PM');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('is not a UTC date and time like 2026-11-22 10:00:00');
  });

  it('serves a favicon without a key, at /favicon.ico and linked from every page', async () => {
    const key = generateApiKey();
    const locked = express();
    locked.use(
      dashboardRoutes({
        store,
        state: { read: async () => state },
        showPatientData: false,
        verifyKey: (k) => (hashApiKey(k) === hashApiKey(key) ? 'k' : undefined),
      }),
    );
    for (const path of ['/favicon.ico', '/dashboard/assets/favicon.svg']) {
      const icon = await request(locked).get(path);
      expect(icon.status, path).toBe(200);
      expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(String(icon.body)).toContain('<svg');
    }
    const login = (await request(locked).get('/dashboard/login')).text;
    expect(login).toContain('<link rel="icon" href="/dashboard/assets/favicon.svg" type="image/svg+xml">');
  });
});
