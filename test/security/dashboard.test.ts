import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterActionRoutes } from '../../src/api/dead-letters.js';
import { generateApiKey, hashApiKey, requireApiKey } from '../../src/api/index.js';
import {
  DASHBOARD_SESSION_COOKIE,
  type DashboardDependencies,
  dashboardRoutes,
} from '../../src/dashboard/index.js';
import { GatewayMetrics, type OpsState } from '../../src/ops/index.js';
import type { DeadLetters } from '../../src/outbound/index.js';
import { SqliteMessageStore } from '../../src/store/index.js';

// Issue 13, "the PAS side and the dashboard": what a signed-in operator's browser can be made to do
// by another site, what a stolen or stale cookie is worth, and what the dashboard shows of patients.

const NHS_NUMBER = '9434765919';
const MASKED = '*******919';
const HOST = 'gateway.example:8080';
const SAME_ORIGIN = { Host: HOST, Origin: `http://${HOST}` };
const MINUTE = 60_000;

const state: OpsState = {
  at: '2026-11-22T10:00:00.000Z',
  rabbitmqConnected: true,
  queues: [
    { queue: 'mhs.outbound', messages: 0, consumers: 1 },
    { queue: 'mhs.dead-letter', messages: 2, consumers: 0 },
  ],
  counts: [{ direction: 'outbound', interactionId: 'REPC_IN150016UK05', status: 'FAILED', count: 1 }],
  errors: [],
};

describe('dashboard sessions, CSRF and the API boundary', () => {
  const key = generateApiKey();
  const keys = [{ name: 'on-call', sha256: hashApiKey(key), createdAt: '2026-01-01T00:00:00.000Z' }];
  let now = Date.parse('2026-11-22T10:00:00Z');
  const replayed: { messageId: string; operator?: string }[] = [];
  let store: SqliteMessageStore;

  /** The dashboard as createApi mounts it: before the API's key check, the real action routes inside. */
  function gateway(options: Partial<DashboardDependencies> = {}): express.Express {
    const deadLetters = {
      replay: async (messageId: string, o: { operator?: string }) => {
        replayed.push({ messageId, ...(o.operator ? { operator: o.operator } : {}) });
        return { messageId, replayOf: messageId, sameMessageId: true };
      },
      discard: async () => {},
      list: async () => ({ deadLetters: [] }),
    } as unknown as DeadLetters;
    const app = express();
    app.use(
      dashboardRoutes({
        store,
        state: { read: async () => state },
        metrics: new GatewayMetrics({ processMetrics: false }),
        showPatientData: false,
        verifyKey: (k) => keys.find((r) => r.sha256 === hashApiKey(k))?.name,
        session: { idleMs: 30 * MINUTE, lifetimeMs: 12 * 60 * MINUTE },
        actions: deadLetterActionRoutes({ deadLetters }),
        clock: () => new Date(now),
        eventIntervalMs: 50,
        ...options,
      }),
    );
    app.use(requireApiKey(keys));
    app.get('/metrics', (_request, response) => {
      response.send('metrics');
    });
    app.post('/dead-letters/:id/replay', (_request, response) => {
      response.status(202).json({ who: response.locals.apiKeyName });
    });
    return app;
  }

  beforeAll(() => {
    store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-dash-sec-')), 'state.db'));
  });
  afterAll(() => store?.close());

  /** Whether a browser with this cookie gets the page (else it is sent to sign in again). */
  async function opens(app: express.Express, pair: string, path = '/dashboard'): Promise<boolean> {
    const response = await request(app).get(path).set({ Cookie: pair, Accept: 'text/html' });
    if (response.status === 200) return true;
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/dashboard\/login\?next=.*&ended=1$/);
    return false;
  }

  /** Signs in; returns the `name=value` cookie pair and the page's CSRF token. */
  async function signIn(app: express.Express, headers: Record<string, string> = SAME_ORIGIN) {
    const login = await request(app).post('/dashboard/login').set(headers).type('form').send({ key });
    expect(login.status).toBe(303);
    const setCookies = login.headers['set-cookie'] as unknown as string[];
    const cookie = setCookies.find((c) => c.startsWith(`${DASHBOARD_SESSION_COOKIE}=`))!;
    const pair = cookie.split(';')[0]!;
    const page = await request(app).get('/dashboard').set('Cookie', pair);
    expect(page.status).toBe(200);
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)![1]!;
    return { cookie, pair, csrf };
  }

  it('puts a random session id in the cookie, never the API key', async () => {
    const app = gateway();
    const first = await signIn(app);
    const second = await signIn(app);
    const id = first.pair.slice(DASHBOARD_SESSION_COOKIE.length + 1);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(first.cookie).not.toContain(key);
    expect(first.cookie).not.toContain(encodeURIComponent(key));
    expect(first.cookie).not.toContain(hashApiKey(key));
    expect(second.pair).not.toBe(first.pair); // a new id at every sign-in
    expect(first.cookie).toMatch(/; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  });

  it('shares sessions between instances on one store: signed in on one, open on another; logout ends it on both', async () => {
    const [first, second] = [gateway(), gateway()];
    const { pair, csrf } = await signIn(first);
    expect(await opens(second, pair)).toBe(true);
    const logout = await request(second)
      .post('/dashboard/logout')
      .set({ ...SAME_ORIGIN, Cookie: pair })
      .type('form')
      .send({ csrf });
    expect(logout.status).toBe(303);
    expect(await opens(first, pair)).toBe(false);
    expect(await opens(gateway(), pair)).toBe(false); // nor on an instance started after
  });

  it('does not let the dashboard cookie authenticate the API, nor round one’s key cookie', async () => {
    const app = gateway();
    const { pair } = await signIn(app);
    for (const cookie of [pair, `mhs_dashboard_key=${encodeURIComponent(key)}`]) {
      expect((await request(app).post('/dead-letters/MSG-1/replay').set('Cookie', cookie)).status).toBe(401);
      expect((await request(app).get('/metrics').set('Cookie', cookie)).status).toBe(401);
    }
    // The key itself still works on the API, as a Bearer key.
    const bearer = await request(app)
      .post('/dead-letters/MSG-1/replay')
      .set('Authorization', `Bearer ${key}`);
    expect(bearer.body).toEqual({ who: 'on-call' });
    // A signed-in browser reads the metrics through the dashboard instead.
    expect((await request(app).get('/dashboard/metrics').set('Cookie', pair)).status).toBe(200);
  });

  it('ends the session at logout: the old cookie opens nothing, and the event stream stops', async () => {
    const app = gateway();
    const { pair, csrf } = await signIn(app);
    const server = http.createServer(app).listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const port = (server.address() as AddressInfo).port;
      const stream = await fetch(`http://127.0.0.1:${port}/dashboard/events`, { headers: { Cookie: pair } });
      expect(stream.status).toBe(200);
      const reader = stream.body!.getReader();
      let text = '';
      while (!text.includes('event: overview')) text += new TextDecoder().decode((await reader.read()).value);

      // Without the token, or from elsewhere, logout is refused (a forced logout is a nuisance attack).
      const forged = await request(app)
        .post('/dashboard/logout')
        .set({ ...SAME_ORIGIN, Cookie: pair })
        .type('form')
        .send({});
      expect(forged.status).toBe(403);
      const logout = await request(app)
        .post('/dashboard/logout')
        .set({ ...SAME_ORIGIN, Cookie: pair })
        .type('form')
        .send({ csrf });
      expect(logout.status).toBe(303);
      expect(logout.headers.location).toBe('/dashboard/login');
      expect(String(logout.headers['set-cookie'])).toContain(`${DASHBOARD_SESSION_COOKIE}=; Path=/dashboard`);

      // The stream says so and closes: no more overview reaches a signed-out browser.
      let done = false;
      while (!done) {
        const chunk = await reader.read();
        done = chunk.done;
        if (chunk.value) text += new TextDecoder().decode(chunk.value);
      }
      expect(text).toMatch(/event: signed-out\n/);

      const page = await request(app).get('/dashboard').set({ Cookie: pair, Accept: 'text/html' });
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe('/dashboard/login?next=%2Fdashboard&ended=1');
      const api = await request(app)
        .get('/dashboard/events')
        .set({ Cookie: pair, Accept: 'text/event-stream' });
      expect(api.status).toBe(401);
      expect(api.body.detail).toContain('session has ended');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('expires a session after the idle timeout, and after its lifetime however busy', async () => {
    const app = gateway();
    const idle = await signIn(app);
    now += 29 * MINUTE;
    expect(await opens(app, idle.pair)).toBe(true);
    now += 29 * MINUTE; // used 29 minutes ago: still alive
    expect(await opens(app, idle.pair)).toBe(true);
    now += 30 * MINUTE;
    expect(await opens(app, idle.pair, '/dashboard/messages')).toBe(false);

    const busy = await signIn(app);
    for (let elapsed = 0; elapsed < 12 * 60 - 20; elapsed += 20) {
      now += 20 * MINUTE;
      expect(await opens(app, busy.pair)).toBe(true);
    }
    now += 20 * MINUTE; // 12 h since sign-in
    expect(await opens(app, busy.pair)).toBe(false);
  });

  it('does not count the event stream as use: an open overview tab signs itself out when idle', async () => {
    const app = gateway();
    const { pair } = await signIn(app);
    now += 20 * MINUTE;
    const server = http.createServer(app).listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const port = (server.address() as AddressInfo).port;
      const stream = await fetch(`http://127.0.0.1:${port}/dashboard/events`, { headers: { Cookie: pair } });
      expect(stream.status).toBe(200);
      await stream.body!.cancel();
    } finally {
      server.closeAllConnections();
      server.close();
    }
    now += 11 * MINUTE; // 31 minutes since the last page load
    expect(await opens(app, pair)).toBe(false);
  });

  it('needs the CSRF token and the same origin for Replay; a Bearer key needs neither', async () => {
    const app = gateway();
    const { pair, csrf } = await signIn(app);
    const replay = () => request(app).post('/dashboard/dead-letters/MSG-9/replay').set('Cookie', pair);
    const refusals: [string, Record<string, string>][] = [
      ['no origin at all', { Host: HOST, 'X-CSRF-Token': csrf }],
      ['another site', { Host: HOST, Origin: 'https://evil.example', 'X-CSRF-Token': csrf }],
      ['another port', { Host: HOST, Origin: 'http://gateway.example:9999', 'X-CSRF-Token': csrf }],
      ['an opaque origin', { Host: HOST, Origin: 'null', 'X-CSRF-Token': csrf }],
      ['a referer elsewhere', { Host: HOST, Referer: 'https://evil.example/page', 'X-CSRF-Token': csrf }],
      ['no token', SAME_ORIGIN],
      ['a wrong token', { ...SAME_ORIGIN, 'X-CSRF-Token': otherLastCharacter(csrf) }],
      ['another session’s token', { ...SAME_ORIGIN, 'X-CSRF-Token': (await signIn(app)).csrf }],
    ];
    for (const [label, headers] of refusals) {
      const response = await replay().set(headers).send({});
      expect(response.status, label).toBe(403);
      expect(response.body.detail, label).toMatch(/cross-origin|names no origin|CSRF token/);
    }
    expect(replayed).toEqual([]);

    const accepted = await replay()
      .set({ ...SAME_ORIGIN, 'X-CSRF-Token': csrf })
      .send({});
    expect(accepted.status).toBe(202);
    const viaReferer = await replay()
      .set({ Host: HOST, Referer: `http://${HOST}/dashboard`, 'X-CSRF-Token': csrf })
      .send({});
    expect(viaReferer.status).toBe(202);
    // A script with the key in a header: no cookie, so nothing another site could forge.
    const bearer = await request(app)
      .post('/dashboard/dead-letters/MSG-9/replay')
      .set('Authorization', `Bearer ${key}`)
      .send({});
    expect(bearer.status).toBe(202);
    expect(replayed).toEqual([
      { messageId: 'MSG-9', operator: 'on-call' },
      { messageId: 'MSG-9', operator: 'on-call' },
      { messageId: 'MSG-9', operator: 'on-call' },
    ]);
  });

  it('refuses a sign-in posted from another site (login CSRF)', async () => {
    const app = gateway();
    const login = await request(app)
      .post('/dashboard/login')
      .set({ Host: HOST, Origin: 'https://evil.example' })
      .type('form')
      .send({ key });
    expect(login.status).toBe(403);
    expect(login.headers['set-cookie']).toBeUndefined();
  });

  it('marks the cookie Secure behind a TLS-terminating proxy only when told to trust it', async () => {
    const behindProxy = {
      Host: 'gateway-internal:8080',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'ops.trust.example',
      Origin: 'https://ops.trust.example',
    };
    const trusting = gateway({ trustProxy: true });
    const { cookie, pair, csrf } = await signIn(trusting, behindProxy);
    expect(cookie).toMatch(/; Secure$/);
    const replay = await request(trusting)
      .post('/dashboard/dead-letters/MSG-7/replay')
      .set({ ...behindProxy, Cookie: pair, 'X-CSRF-Token': csrf })
      .send({});
    expect(replay.status).toBe(202);

    // Not trusted: the forwarded headers are anyone's to send, so they neither add Secure nor
    // vouch for an origin.
    const direct = gateway({ trustProxy: false });
    const plain = await signIn(direct);
    expect(plain.cookie).not.toContain('Secure');
    const spoofed = await request(direct)
      .post('/dashboard/login')
      .set(behindProxy)
      .type('form')
      .send({ key });
    expect(spoofed.status).toBe(403);
  });
});

describe('dashboard patient data', () => {
  const key = generateApiKey();
  const keys = [{ name: 'on-call', sha256: hashApiKey(key), createdAt: '2026-01-01T00:00:00.000Z' }];
  const bearer = { Authorization: `Bearer ${key}` };
  let store: SqliteMessageStore;

  function dashboard(showPatientData: boolean): express.Express {
    const app = express();
    app.use(
      dashboardRoutes({
        store,
        state: { read: async () => state },
        showPatientData,
        verifyKey: (k) => keys.find((r) => r.sha256 === hashApiKey(k))?.name,
        eventIntervalMs: 50,
      }),
    );
    return app;
  }

  beforeAll(async () => {
    store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-dash-pd-')), 'state.db'));
    await store.insert({
      messageId: 'DL-1',
      direction: 'outbound',
      interactionId: 'REPC_IN150016UK05',
      conversationId: 'CONV-DL-1',
      status: 'ACCEPTED',
      data: { inResponseTo: 'REQ-42', nhsNumber: NHS_NUMBER },
    });
    await store.transition('DL-1', 'FAILED', {
      detail: `retries exhausted: Spine said patient ${NHS_NUMBER} is not registered`,
      patch: {
        error: [
          { errorType: 'soap_fault', errorCode: '200', description: `No match for NHS number ${NHS_NUMBER}` },
        ],
        replyDeliveredAt: new Date().toISOString(),
      },
    });
  });
  afterAll(() => store?.close());

  async function streamed(app: express.Express): Promise<Record<string, string>> {
    const server = http.createServer(app).listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const port = (server.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/dashboard/events`, { headers: bearer });
      const reader = response.body!.getReader();
      let text = '';
      while (!/event: overview\ndata: .*\n/.test(text))
        text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return (
        JSON.parse(/event: overview\ndata: (.*)\n/.exec(text)![1]!) as { sections: Record<string, string> }
      ).sections;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('masks NHS numbers in the overview’s recent errors and dead-letter reasons', async () => {
    const page = (await request(dashboard(false)).get('/dashboard').set(bearer)).text;
    expect(page).toContain('data-dead-letter="DL-1"');
    expect(page).toContain('data-error="DL-1"');
    expect(page).not.toContain(NHS_NUMBER);
    expect(page).toContain(`No match for NHS number ${MASKED}`);
    expect(page).toContain(`Spine said patient ${MASKED} is not registered`);
  });

  it('masks them in the live event stream too', async () => {
    const sections = await streamed(dashboard(false));
    expect(sections.errors).toContain(`No match for NHS number ${MASKED}`);
    expect(sections['dead-letters']).toContain(`patient ${MASKED} is not registered`);
    expect(JSON.stringify(sections)).not.toContain(NHS_NUMBER);
  });

  it('shows them where dashboard.showPatientData is true', async () => {
    const page = (await request(dashboard(true)).get('/dashboard').set(bearer)).text;
    expect(page).toContain(`No match for NHS number ${NHS_NUMBER}`);
    const sections = await streamed(dashboard(true));
    expect(sections['dead-letters']).toContain(`patient ${NHS_NUMBER} is not registered`);
  });

  it('keeps ids visible on the message page (inResponseTo) while the patient is masked', async () => {
    const page = (await request(dashboard(false)).get('/dashboard/messages/DL-1').set(bearer)).text;
    expect(page).toContain('&quot;inResponseTo&quot;: &quot;REQ-42&quot;');
    expect(page).not.toContain(NHS_NUMBER);
    expect(page).toContain('&quot;nhsNumber&quot;: &quot;[redacted]&quot;');
  });
});

/** The token with its last character changed: always different, whatever the token ends with. */
function otherLastCharacter(token: string): string {
  const last = token.slice(-1);
  return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}
