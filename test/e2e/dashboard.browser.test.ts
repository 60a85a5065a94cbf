import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/api/index.js';
import { packageRoot } from '../../src/config/index.js';
import type { Overview } from '../../src/dashboard/index.js';
import { overviewSections } from '../../src/dashboard/views/overview.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { INBOUND_STATES, OUTBOUND_STATES, type StateCount } from '../../src/store/index.js';
import { answerSlotPoll, eventually, type Harness, postJson, putFaults, startHarness } from './harness.js';

/** Debian's chromium (`apt-get install chromium`; bash .ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** As the machine notes say: no background networking (this machine has no network), no first-run UI. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUTPUT = join(packageRoot, 'test-output');
const RELIABLE = 'REPC_IN150016UK05';
/** Screenshots for the docs are taken at this width; the layout is also checked at 1920. */
const WIDTH = 1400;
const NHS_NUMBER = '9434765919';

/**
 * Issue 7, done when: a browser opens the dashboard while messages flow, sees the counts change,
 * opens a message's page, and replays a dead-lettered message. Issues 13 and 18: what it shows
 * (masked patient data, names, times, layout at 1400 and 1920 px) and what its session is worth.
 * Screenshots of every page at 1400 px go to test-output/.
 */
describe('operations dashboard in a browser', () => {
  const key = generateApiKey();
  const auth = { Authorization: `Bearer ${key}` };
  let h: Harness;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  /** Every failed response the browser saw for anything but a page it navigated to. */
  const failedLoads: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; bash .ci/run does) or set CHROMIUM_PATH`,
      );
    const dir = mkdtempSync(join(tmpdir(), 'mhs-dashboard-'));
    const keysFile = join(dir, 'api-keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify([{ name: 'on-call', sha256: hashApiKey(key), createdAt: new Date().toISOString() }]),
    );
    h = await startHarness({
      env: { MHS_API_AUTH_MODE: 'api-key', MHS_API_AUTH_KEYS_FILE: keysFile },
      routes: (routes) => {
        // Quick retries, so a message dead-letters within the test.
        routes.routes[RELIABLE]!.reliability = { retryInterval: 'PT0.2S' };
      },
    });
    profile = mkdtempSync(join(tmpdir(), 'mhs-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: WIDTH, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('response', (response: Response) => {
      if (response.status() >= 400 && response.request().resourceType() !== 'document')
        failedLoads.push(`${response.status()} ${response.url()}`);
    });
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** A PAS message on the reliable REPC route, through the MHS-compatible POST /. */
  async function sendReliable(): Promise<string> {
    const messageId = randomUUID().toUpperCase();
    const payload = wrapPayload(
      {
        interactionId: RELIABLE,
        messageId,
        creationTime: new Date(),
        toAsid: '928942012545',
        fromAsid: h.config.asid,
      },
      undefined,
    );
    const response = await postJson(
      `${h.api}/`,
      { payload },
      { ...auth, 'Interaction-Id': RELIABLE, 'wait-for-response': 'false', 'Message-Id': messageId },
    );
    expect(response.status).toBe(202);
    return messageId;
  }

  /** e-RS polls for slots and the PAS answers: one message in, one out. */
  async function slotPollAnswered(): Promise<void> {
    const { answer } = await answerSlotPoll(h, 'CLINIC-ORTHO-7', auth);
    expect(answer.status).toBe(202);
  }

  /** GET /messages/{id} with the key, until the message is in `status`. */
  async function waitForState(messageId: string, status: string): Promise<void> {
    const seen = await eventually(async () => {
      const response = await fetch(`${h.api}/messages/${messageId}`, { headers: auth });
      return ((await response.json()) as { status?: string }).status === status ? true : undefined;
    });
    if (!seen) throw new Error(`${messageId} never reached ${status}`);
  }

  const liveText = (name: string) => page.locator(`[data-live="${name}"]`).innerText();

  /** A full-page screenshot for test-output/ (and the docs), after checking nothing spills sideways. */
  async function shoot(name: string): Promise<void> {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name}: the page is wider than the window`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(OUTPUT, name), fullPage: true });
  }

  it('asks for the API key, then shows the overview', async () => {
    await page.goto(`${h.api}/dashboard`);
    await expect.poll(() => page.url()).toContain('/dashboard/login');
    await shoot('dashboard-login.png');
    await page.fill('input[name="key"]', 'mhs_not-a-key');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.locator('.problem').innerText()).toContain('not valid');
    await page.fill('input[name="key"]', key);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-live="tiles"]');
    expect(page.url()).toBe(`${h.api}/dashboard`);
    expect(await liveText('queues')).toContain('mhs.outbound');
    // The session cookie: HttpOnly (the page's script cannot read it), a random id, not the key.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await browser.cookies(`${h.api}/dashboard`);
    expect(cookies.map((c) => c.name)).toEqual(['mhs_dashboard_session']);
    expect(cookies[0]!.value).not.toContain(key.slice(4));
    expect(cookies[0]!.path).toBe('/dashboard');
    // The favicon is served to anyone: no 401 in production mode.
    expect(
      await page.evaluate(async () => (await fetch('/favicon.ico', { credentials: 'omit' })).status),
    ).toBe(200);
  });

  it('sees the counts change while messages flow, without reloading', async () => {
    const before = await liveText('states');
    const updatesBefore = Number(await page.evaluate(() => document.body.dataset.updates ?? '0'));
    for (let i = 0; i < 3; i++) await slotPollAnswered();
    await sendReliable();
    await expect
      .poll(() => liveText('states'), { timeout: 15_000 })
      .toMatch(/PRSC_IN080000UK07[\s\S]*PRSC_IN090000UK09/);
    expect(await liveText('states')).not.toBe(before);
    // The server-sent events did it: no navigation, several pushes.
    expect(Number(await page.evaluate(() => document.body.dataset.updates ?? '0'))).toBeGreaterThan(
      updatesBefore,
    );
    expect(page.url()).toBe(`${h.api}/dashboard`);
    await expect.poll(() => liveText('tiles'), { timeout: 15_000 }).toMatch(/Inbound \/ min\s*[1-9]/);
  });

  let failed: string;

  it('shows a dead letter and a recent error with Spine codes and names, and opens its page', async () => {
    await putFaults(h, { soapFault: { codes: ['200'], times: 3 } });
    failed = await sendReliable();
    await waitForState(failed, 'FAILED');
    await putFaults(h, { soapFault: { codes: [], times: 0 } });
    const row = page.locator(`[data-dead-letter="${failed}"]`);
    await row.waitFor({ timeout: 15_000 });
    // Spine's own fault (code 200 and its text), not a DeliveryFailure of ours, once retries run out.
    await expect.poll(() => liveText('errors')).toMatch(/FAILED\s+200\s+System failure to process message/);
    // Interactions carry their catalogue names beside the codes.
    expect(await liveText('states')).toContain('GP Summary (SCR upload)');
    expect(await row.innerText()).toContain(`${RELIABLE} GP Summary (SCR upload)`);
    await shoot('dashboard.png');

    await row.locator(`a[href="/dashboard/messages/${failed}"]`).click();
    await page.waitForSelector('h1.mono');
    expect(await page.locator('h1').innerText()).toBe(failed);
    const content = (await page.locator('main').textContent()) ?? '';
    expect(content).toContain('History');
    expect(content).toMatch(/RETRYING[\s\S]*FAILED/);
    expect(content).toContain('Correlation chain');
    expect(content).toContain('Envelope sent');
    expect(content).toContain(`<eb:MessageId>${failed}</eb:MessageId>`);
    expect(content).toContain('Failure notified to PAS');
    expect(content).not.toContain('Reply delivered to PAS');
    // Every time is 24-hour UTC, ISO-like.
    const times = await page.locator('td.nowrap').allInnerTexts();
    expect(times.length).toBeGreaterThan(0);
    for (const time of times) expect(time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    await shoot('dashboard-message.png');
  });

  it('masks an NHS number Spine quotes in an error, on the overview as it streams in', async () => {
    await page.goto(`${h.api}/dashboard`);
    await putFaults(h, {
      messageError: {
        errorCode: 'ValueNotRecognized',
        description: `NHS number ${NHS_NUMBER} is not recognised`,
        times: 1,
      },
    });
    const nacked = await sendReliable();
    await waitForState(nacked, 'NACKED');
    await expect
      .poll(() => liveText('errors'), { timeout: 15_000 })
      .toContain('*******919 is not recognised');
    expect(await page.locator('main').innerText()).not.toContain(NHS_NUMBER);
    await page.goto(`${h.api}/dashboard/messages/${nacked}`);
    expect(await page.locator('main').innerText()).not.toContain(NHS_NUMBER);
    await page.goto(`${h.api}/dashboard`);
    expect(await liveText('errors')).not.toContain(NHS_NUMBER);
  });

  it('replays the dead letter from the overview, and it is sent again', async () => {
    await page.goto(`${h.api}/dashboard`);
    const row = page.locator(`[data-dead-letter="${failed}"]`);
    await row.locator('button[data-action="replay"]').click();
    await expect.poll(() => page.locator('[data-flash]').innerText()).toContain(`Replayed ${failed}`);
    await row.waitFor({ state: 'detached' });
    expect((await fetch(`${h.api}/dead-letters`)).status).toBe(401); // the API itself still wants a key
    const listed = (await (await fetch(`${h.api}/dead-letters`, { headers: auth })).json()) as {
      deadLetters: { messageId: string }[];
    };
    expect(listed.deadLetters.map((d) => d.messageId)).not.toContain(failed);
    const sent = await eventually(async () => {
      const message = (await (await fetch(`${h.api}/messages/${failed}`, { headers: auth })).json()) as {
        history: { status: string; detail?: string }[];
      };
      return message.history.some((e) => /replayed by operator on-call/.test(e.detail ?? ''))
        ? message
        : undefined;
    });
    expect(sent, 'the message history never recorded the replay by the signed-in key').toBeDefined();
    // Once the stream pushes again: nothing waits, and the parked copy on the queue is explained.
    await expect
      .poll(() => liveText('dead-letters'), { timeout: 10_000 })
      .toContain('No dead letters wait for an operator.');
    const section = await liveText('dead-letters');
    expect(section).not.toContain(failed);
    expect(section).toMatch(/mhs\.dead-letter still holds \d+ notifications?: a copy of each failure/);
  });

  /**
   * The worst "Messages by state" a gateway can show: every catalogued interaction in both
   * directions, with its name, and every state the store lists plus one it may add later.
   */
  function worstStatesTable(): string {
    const catalogue = JSON.parse(readFileSync(join(packageRoot, 'config', 'interactions.json'), 'utf8')) as {
      interactions: Record<string, { name: string }>;
    };
    const states = [...OUTBOUND_STATES, ...INBOUND_STATES, 'EXPIRED'] as StateCount['status'][];
    const counts: StateCount[] = Object.keys(catalogue.interactions).flatMap((interactionId) =>
      (['outbound', 'inbound'] as const).flatMap((direction) =>
        states.map((status) => ({ direction, interactionId, status, count: 12_345 })),
      ),
    );
    const at = new Date().toISOString();
    const overview: Overview = {
      at,
      state: { at, rabbitmqConnected: true, queues: [], counts, errors: [] },
      series: { outbound: [], inbound: [], queued: [], inFlight: [] },
      inFlight: 0,
      retrying: 0,
      failed: 0,
      deadLettersMore: false,
      recentErrors: [],
      deadLetters: [],
    };
    return overviewSections(overview, {
      showPatientData: false,
      interactionName: (id) => catalogue.interactions[id]?.name,
    }).states!.value;
  }

  it('lays out every state column, DELIVERED included, at 1400 and 1920 px', async () => {
    const worst = worstStatesTable();
    for (const width of [WIDTH, 1920]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.goto(`${h.api}/dashboard`);
      for (const [label, markup] of [
        ['as served', undefined],
        ['every state and interaction', worst],
      ] as const) {
        const layout = await page.locator('[data-live="states"]').evaluate((live, replacement) => {
          // Measured in the same task as the swap, so the event stream cannot put the old one back.
          if (replacement) live.innerHTML = replacement;
          const scroll = live.querySelector('.scroll') as HTMLElement;
          const box = scroll.getBoundingClientRect();
          const last = live.querySelector('thead th:last-child') as HTMLElement;
          const delivered = live.querySelector('th[data-state="DELIVERED"]') as HTMLElement;
          const inside = (e: HTMLElement) => {
            const r = e.getBoundingClientRect();
            return r.left >= box.left && r.right <= box.right + 0.5 && r.right <= window.innerWidth;
          };
          // The arrow and the interaction code share a line in every row.
          const wrapped = Array.from(live.querySelectorAll('tbody .interaction .code')).filter(
            (code) => code.getBoundingClientRect().height > 24,
          ).length;
          return {
            overflow: scroll.scrollWidth - scroll.clientWidth,
            deliveredVisible: inside(delivered),
            lastColumnVisible: inside(last),
            wrapped,
          };
        }, markup);
        expect(layout, `${label} at ${width} px`).toEqual({
          overflow: 0,
          deliveredVisible: true,
          lastColumnVisible: true,
          wrapped: 0,
        });
        await shoot(markup ? `dashboard-states-worst-${width}.png` : `dashboard-${width}.png`);
      }
    }
    await page.setViewportSize({ width: WIDTH, height: 1000 });
  });

  it('searches with 24-hour UTC times typed as shown', async () => {
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    await page.goto(`${h.api}/dashboard/messages`);
    await page.fill('input[name="from"]', hourAgo);
    await page.selectOption('select[name="direction"]', 'outbound');
    await page.click('form.search button[type="submit"]');
    await page.waitForSelector('[data-results]');
    expect(Number(await page.locator('[data-results]').getAttribute('data-results'))).toBeGreaterThan(0);
    expect(await page.inputValue('input[name="from"]')).toBe(hourAgo);
    await shoot('dashboard-messages.png');
  });

  it('keeps /metrics behind a Bearer key; the browser session reads it under /dashboard', async () => {
    expect((await fetch(`${h.api}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${h.api}/metrics`, { headers: auth });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('mhs_dead_letters_total{interaction="REPC_IN150016UK05"} 1');
    expect((await page.goto(`${h.api}/metrics`))?.status()).toBe(401);
    expect((await page.goto(`${h.api}/dashboard/metrics`))?.status()).toBe(200);
  });

  it('logs out: the session ends, the page goes back to sign in', async () => {
    await page.goto(`${h.api}/dashboard`);
    const stale = (await browser.cookies(`${h.api}/dashboard`))[0]!;
    await page.click('.session button');
    await expect.poll(() => page.url()).toContain('/dashboard/login');
    // The old id, presented again, opens nothing.
    const replayed = await fetch(`${h.api}/dashboard`, {
      headers: { Cookie: `${stale.name}=${stale.value}`, Accept: 'text/html' },
      redirect: 'manual',
    });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toContain('/dashboard/login');
    expect(failedLoads).toEqual([]);
  });
});
