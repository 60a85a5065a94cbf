import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/api/index.js';
import { packageRoot } from '../../src/config/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
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

/**
 * Issue 7, done when: a browser opens the dashboard while messages flow, sees the counts change,
 * opens a message's page, and replays a dead-lettered message. Screenshots go to test-output/.
 */
describe('operations dashboard in a browser', () => {
  const key = generateApiKey();
  const auth = { Authorization: `Bearer ${key}` };
  let h: Harness;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;

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
      viewport: { width: 1440, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
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

  it('asks for the API key, then shows the overview', async () => {
    await page.goto(`${h.api}/dashboard`);
    await expect.poll(() => page.url()).toContain('/dashboard/login');
    await page.fill('input[name="key"]', 'mhs_not-a-key');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.locator('.problem').innerText()).toContain('not valid');
    await page.fill('input[name="key"]', key);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-live="tiles"]');
    expect(page.url()).toBe(`${h.api}/dashboard`);
    expect(await liveText('queues')).toContain('mhs.outbound');
    // The key is in an HttpOnly cookie: the page's script cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
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

  it('shows a dead letter and a recent error with Spine codes, and opens its page', async () => {
    await putFaults(h, { soapFault: { codes: ['200'], times: 3 } });
    failed = await sendReliable();
    await waitForState(failed, 'FAILED');
    await putFaults(h, { soapFault: { codes: [], times: 0 } });
    const row = page.locator(`[data-dead-letter="${failed}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => liveText('errors')).toContain('DeliveryFailure');
    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });

    await row.locator(`a[href="/dashboard/messages/${failed}"]`).click();
    await page.waitForSelector('h1.mono');
    expect(await page.locator('h1').innerText()).toBe(failed);
    const content = (await page.locator('main').textContent()) ?? '';
    expect(content).toContain('History');
    expect(content).toMatch(/RETRYING[\s\S]*FAILED/);
    expect(content).toContain('Correlation chain');
    expect(content).toContain('Envelope sent');
    expect(content).toContain(`<eb:MessageId>${failed}</eb:MessageId>`);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-message.png'), fullPage: true });
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
      return message.history.some((e) => /replayed/.test(e.detail ?? '')) ? message : undefined;
    });
    expect(sent, 'the message history never recorded the replay').toBeDefined();
    // The overview no longer lists it once the stream pushes again.
    await expect.poll(() => liveText('dead-letters'), { timeout: 10_000 }).not.toContain(failed);
  });

  it('keeps /metrics behind the key, and the browser session reaches it', async () => {
    expect((await fetch(`${h.api}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${h.api}/metrics`, { headers: auth });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('mhs_dead_letters_total{interaction="REPC_IN150016UK05"} 1');
    const response = await page.goto(`${h.api}/metrics`);
    expect(response?.status()).toBe(200);
  });
});
