import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, parseReferralEvent, QUEUES } from '../../src/queue/index.js';
import { openStore } from '../../src/store/index.js';
import { control, ersEnv, userSessionToken } from './ers-support.js';
import { eventually, getJson, type Harness, postJson, quietLogger, startHarness } from './harness.js';

/** The e-RS FHIR side end to end: gateway, simulator, RabbitMQ and the store (issue 17). */

/** An event as the PAS reads it from mhs.referrals. */
type ReferralEventBody = ReturnType<typeof parseReferralEvent>;

/** The PAS's view of mhs.referrals. */
class ReferralEvents {
  readonly received: ReferralEventBody[] = [];
  private constructor(private readonly broker: Broker) {}

  static async connect(url: string): Promise<ReferralEvents> {
    const broker = new Broker(url, { instanceId: `ers-test-${process.pid}`, logger: quietLogger });
    await broker.start();
    const events = new ReferralEvents(broker);
    await broker.consume(QUEUES.referrals, async (delivery) => {
      events.received.push(parseReferralEvent(delivery.body));
      return 'ack';
    });
    return events;
  }

  async waitFor(predicate: (event: ReferralEventBody) => boolean, what: string): Promise<ReferralEventBody> {
    const found = await eventually(() => this.received.find(predicate), 15_000);
    if (!found)
      throw new Error(
        `no ${what}; saw ${JSON.stringify(this.received.map((e) => [e.kind, e.ubrn, e.version]))}`,
      );
    return found;
  }

  close(): Promise<void> {
    return this.broker.close();
  }
}

async function simState(h: Harness) {
  return (await control(h, 'GET', '/control/ers')) as {
    calls: Record<string, number>;
    tokensIssued: number;
    objectStoreAuthRefusals: number;
    referrals: { ubrn: string; version: number; list: string | null; state: string }[];
    lastRequest?: Record<string, string>;
  };
}

async function addReferral(h: Harness, input: Record<string, unknown> = {}) {
  return (await control(h, 'POST', '/control/ers/referrals', {
    service: { id: '700001', name: 'Test Cardiology' },
    ...input,
  })) as { ubrn: string; version: number; attachments: { id: string; binaryId: string; size: number }[] };
}

async function decide(h: Harness, ubrn: string, action: string, body: unknown, key = randomUUID()) {
  return postJson(`${h.api}/ers/referrals/${ubrn}/${action}`, body, { 'Idempotency-Key': key });
}

describe('e-RS FHIR provider side through the gateway', () => {
  let h: Harness;
  let events: ReferralEvents;

  beforeAll(async () => {
    h = await startHarness(ersEnv(1000));
    events = await ReferralEvents.connect(h.config.amqp.url);
    // The sync run at start-up is over before the tests add referrals (POST /ers/sync would join it).
    await eventually(
      async () => ((await getJson(`${h.api}/ers/sync`)).body.lastRuns as unknown[]).length === 2 || undefined,
    );
  }, 60_000);

  afterAll(async () => {
    await events?.close();
    await h?.close();
  });

  it('publishes a new referral as an event and serves it as JSON, its attachment downloaded with the right checksum', async () => {
    const letter = `%PDF-1.4 letter for a new referral ${randomUUID()}\n`;
    const created = await addReferral(h, {
      priority: 'URGENT',
      attachments: [{ title: 'letter.pdf', content: letter }],
    });
    const sync = await postJson(`${h.api}/ers/sync`, {});
    expect(sync.status).toBe(200);
    const event = await events.waitFor(
      (e) => e.kind === 'referral-new' && e.ubrn === created.ubrn,
      'referral-new',
    );
    expect(event).toMatchObject({
      version: 1,
      list: 'REFERRALS_FOR_REVIEW',
      referral: { ubrn: created.ubrn, priority: { code: 'URGENT' } },
    });

    const attachmentId = created.attachments[0]!.id;
    const json = await eventually(async () => {
      const got = await getJson(`${h.api}/ers/referrals/${created.ubrn}`);
      const attachments = got.body.attachments as { status: string }[];
      return attachments[0]?.status === 'DOWNLOADED' ? got.body : undefined;
    });
    expect(json).toMatchObject({
      ubrn: created.ubrn,
      version: 1,
      nhsNumber: '9434765919',
      priority: { code: 'URGENT' },
      specialty: { code: 'CARDIOLOGY' },
      service: { id: '700001', name: 'Test Cardiology' },
      state: { code: 'BOOKED' },
      appointment: { status: 'booked' },
      shortlist: [{ id: '700001', name: 'Test Cardiology' }],
    });
    expect(typeof (json as { rttClockStart?: unknown }).rttClockStart).toBe('string');
    const expected = createHash('sha256').update(letter).digest('hex');
    expect((json as { attachments: unknown[] }).attachments[0]).toMatchObject({
      id: attachmentId,
      status: 'DOWNLOADED',
      sha256: expected,
    });

    const file = await fetch(`${h.api}/ers/referrals/${created.ubrn}/attachments/${attachmentId}`);
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(expected);
    expect(file.headers.get('x-content-sha256')).toBe(expected);
    // Stored readable by the gateway's user only.
    const stored = readdirSync(h.config.ersFhir.attachmentsDir).filter((name) => !name.endsWith('.part'));
    expect(stored.length).toBeGreaterThan(0);
    for (const name of stored)
      expect(statSync(join(h.config.ersFhir.attachmentsDir, name)).mode & 0o777).toBe(0o600);
    // The 307 was followed without the bearer token.
    expect((await simState(h)).objectStoreAuthRefusals).toBe(0);

    // The clinical information summary (A007, a POST) is fetched and served the same way.
    const summary = await eventually(async () => {
      const got = await getJson(`${h.api}/ers/referrals/${created.ubrn}`);
      return (got.body.attachments as { id: string; status: string; sha256?: string }[]).find(
        (a) => a.id === 'clinical-information-v1' && a.status === 'DOWNLOADED',
      );
    });
    expect(summary).toMatchObject({ contentType: 'application/pdf' });
    const pdf = Buffer.from(
      await (
        await fetch(`${h.api}/ers/referrals/${created.ubrn}/attachments/clinical-information-v1`)
      ).arrayBuffer(),
    );
    expect(pdf.toString()).toContain(`UBRN ${created.ubrn} version 1`);
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(summary!.sha256);

    const fhir = await fetch(`${h.api}/ers/referrals/${created.ubrn}?format=fhir`);
    expect(fhir.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    expect(((await fhir.json()) as { resourceType: string }).resourceType).toBe('ReferralRequest');
  });

  it('retries a PENDING attachment until e-RS has scanned it; reports THREATS_FOUND as final', async () => {
    const created = await addReferral(h, {
      attachments: [
        { title: 'scan.pdf', availability: 'PENDING' },
        { title: 'bad.pdf', availability: 'THREATS_FOUND' },
      ],
    });
    await postJson(`${h.api}/ers/sync`, {});
    const failed = await events.waitFor(
      (e) => e.kind === 'attachment-failed' && e.ubrn === created.ubrn,
      'attachment-failed',
    );
    expect(failed.attachment).toMatchObject({ id: created.attachments[1]!.id, status: 'THREATS_FOUND' });
    const [pending, bad] = created.attachments;
    expect((await getJson(`${h.api}/ers/referrals/${created.ubrn}/attachments/${pending!.id}`)).status).toBe(
      409,
    );
    expect((await getJson(`${h.api}/ers/referrals/${created.ubrn}/attachments/${bad!.id}`)).status).toBe(410);
    // The dashboard's referrals page reports it, with the budget and the referrals by state.
    const page = await (await fetch(`${h.api}/dashboard/referrals`)).text();
    expect(page).toContain(`data-attachment="${bad!.id}"`);
    expect(page).toMatch(/data-budget="700001"/);
    expect(page).toMatch(/data-state="BOOKED"/);
    await control(h, 'POST', `/control/ers/attachments/${pending!.binaryId}`, { availability: 'AVAILABLE' });
    const served = await eventually(async () => {
      await getJson(`${h.api}/ers/referrals/${created.ubrn}`); // each read looks for due downloads
      const response = await fetch(`${h.api}/ers/referrals/${created.ubrn}/attachments/${pending!.id}`);
      return response.status === 200 ? response : undefined;
    });
    expect(served?.status).toBe(200);
  });

  it('detects a change by version and fetches only the changed referral; reports one that left the worklist', async () => {
    const changing = await addReferral(h);
    const leaving = await addReferral(h);
    await postJson(`${h.api}/ers/sync`, {});
    await events.waitFor((e) => e.kind === 'referral-new' && e.ubrn === leaving.ubrn, 'second referral-new');
    const before = (await simState(h)).calls.A005 ?? 0;
    await control(h, 'POST', `/control/ers/referrals/${changing.ubrn}/change`, { priority: 'TWO_WEEK_WAIT' });
    await control(h, 'POST', `/control/ers/referrals/${leaving.ubrn}/leave`);
    await postJson(`${h.api}/ers/sync`, {});
    const changed = await events.waitFor(
      (e) => e.kind === 'referral-changed' && e.ubrn === changing.ubrn,
      'referral-changed',
    );
    expect(changed).toMatchObject({
      version: 2,
      previousVersion: 1,
      referral: { priority: { code: 'TWO_WEEK_WAIT' } },
    });
    await events.waitFor(
      (e) => e.kind === 'referral-left-worklist' && e.ubrn === leaving.ubrn,
      'referral-left-worklist',
    );
    // Every other referral on the list kept its version: A005 ran for the changed one alone.
    expect((await simState(h)).calls.A005).toBe(before + 1);
    expect((await getJson(`${h.api}/ers/referrals/${changing.ubrn}`)).body).toMatchObject({ version: 2 });
  });

  it('accepts a referral once, however often the PAS retries with the same key', async () => {
    const created = await addReferral(h);
    await postJson(`${h.api}/ers/sync`, {});
    const key = randomUUID();
    const first = await decide(h, created.ubrn, 'accept', {}, key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      ubrn: created.ubrn,
      action: 'accept',
      outcome: 'recorded',
      sentVersion: 1,
      referral: { version: 2 },
    });
    const again = await decide(h, created.ubrn, 'accept', {}, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await simState(h)).referrals.find((r) => r.ubrn === created.ubrn)?.version).toBe(2);
    const reused = await decide(
      h,
      created.ubrn,
      'reject',
      { reason: 'SERVICE_NOT_PROVIDED', comments: 'x' },
      key,
    );
    expect(reused.status).toBe(422);
    expect(reused.body.title).toBe('Idempotency-Key reused');
  });

  it('rejects with a reason from the reference data; a code e-RS refuses comes back as 422 naming it', async () => {
    const reasons = await getJson(`${h.api}/ers/reference-data/rejection-reasons`);
    expect(reasons.status).toBe(200);
    const codes = (reasons.body.concepts as { code: string }[]).map((c) => c.code);
    expect(codes).toEqual(['CLINICALLY_INAPPROPRIATE', 'SERVICE_NOT_PROVIDED']);
    const created = await addReferral(h);
    const refused = await decide(h, created.ubrn, 'reject', {
      reason: 'NOT_A_REASON',
      comments: 'wrong code',
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ ersErrorCode: 'INVALID_CODE', title: 'e-RS refused the decision' });
    const rejected = await decide(h, created.ubrn, 'reject', {
      reason: 'SERVICE_NOT_PROVIDED',
      comments: 'Not offered at this site',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      referral: { state: { code: 'REJECTED', reason: { code: 'SERVICE_NOT_PROVIDED' } } },
    });
  });

  it('reports a version conflict (409) with the referral as it now is, and a lock (423) with Retry-After', async () => {
    const created = await addReferral(h);
    await getJson(`${h.api}/ers/referrals/${created.ubrn}`); // the gateway now holds version 1
    await control(h, 'POST', `/control/ers/referrals/${created.ubrn}/change`);
    const conflict = await decide(h, created.ubrn, 'accept', {});
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ sentVersion: 1, referral: { version: 2 } });
    expect((await simState(h)).referrals.find((r) => r.ubrn === created.ubrn)?.version).toBe(2);

    await control(h, 'POST', `/control/ers/referrals/${created.ubrn}/lock`);
    const locked = await decide(h, created.ubrn, 'accept', {});
    expect(locked.status).toBe(423);
    expect(locked.headers.get('retry-after')).toBe('30');
    await control(h, 'POST', `/control/ers/referrals/${created.ubrn}/unlock`);
    const key = randomUUID();
    expect((await decide(h, created.ubrn, 'accept', {}, key)).status).toBe(200);
  });

  it('reconciles a 504 PAS_NOT_RESPONDING by re-reading the referral', async () => {
    const notRecorded = await addReferral(h);
    await control(h, 'PUT', '/control/ers/faults', [
      { endpoint: 'A013', status: 504, code: 'PAS_NOT_RESPONDING', times: 1 },
    ]);
    const key = randomUUID();
    const timeout = await decide(h, notRecorded.ubrn, 'accept', {}, key);
    expect(timeout.status).toBe(504);
    expect(timeout.body).toMatchObject({
      ersErrorCode: 'PAS_NOT_RESPONDING',
      title: 'Decision not recorded',
    });
    // Nothing happened, so the same key may act now.
    expect((await decide(h, notRecorded.ubrn, 'accept', {}, key)).status).toBe(200);

    const recorded = await addReferral(h);
    await control(h, 'PUT', '/control/ers/faults', [
      { endpoint: 'A013', status: 504, code: 'PAS_NOT_RESPONDING', times: 1, act: true },
    ]);
    const reconciled = await decide(h, recorded.ubrn, 'accept', {});
    expect(reconciled.status).toBe(200);
    expect(reconciled.body).toMatchObject({
      outcome: 'recorded',
      reconciled: true,
      referral: { version: 2 },
    });

    const pasError = await addReferral(h);
    await control(h, 'PUT', '/control/ers/faults', [
      { endpoint: 'A014', status: 502, code: 'PAS_RESPONDED_WITH_ERROR', times: 1 },
    ]);
    const refusedByPas = await decide(h, pasError.ubrn, 'reject', {
      reason: 'SERVICE_NOT_PROVIDED',
      comments: 'c',
    });
    expect(refusedByPas.status).toBe(502);
    expect(refusedByPas.body).toMatchObject({
      ersErrorCode: 'PAS_RESPONDED_WITH_ERROR',
      title: 'Decision not recorded',
    });
  });

  it('answers 502 when e-RS refuses even a fresh token, having tried exactly one', async () => {
    const created = await addReferral(h);
    const before = await simState(h);
    await control(h, 'PUT', '/control/ers/faults', [{ endpoint: 'A013', status: 401, times: 2 }]);
    const refused = await decide(h, created.ubrn, 'accept', {});
    expect(refused.status).toBe(502);
    expect(refused.body.title).toBe('e-RS refused the gateway');
    const after = await simState(h);
    expect(after.tokensIssued).toBe(before.tokensIssued + 1);
    expect(after.referrals.find((r) => r.ubrn === created.ubrn)?.version).toBe(1);
  });

  it('backs off a 429 (empty body, Retry-After) invisibly; a 503 that lasts is answered 503 with Retry-After', async () => {
    const created = await addReferral(h);
    await control(h, 'PUT', '/control/ers/faults', [
      { endpoint: 'A013', status: 429, retryAfter: '1', times: 1 },
    ]);
    const accepted = await decide(h, created.ubrn, 'accept', {});
    expect(accepted.status).toBe(200);

    const other = await addReferral(h);
    await control(h, 'PUT', '/control/ers/faults', [
      { endpoint: 'A013', status: 503, retryAfter: '0', times: 3 },
    ]);
    const busy = await decide(h, other.ubrn, 'accept', {});
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('30');
    expect((await simState(h)).referrals.find((r) => r.ubrn === other.ubrn)?.version).toBe(1);
  });

  it('renews a token e-RS stops accepting mid-run without the PAS noticing', async () => {
    const created = await addReferral(h);
    const before = (await simState(h)).tokensIssued;
    await control(h, 'POST', '/control/ers/tokens/expire');
    const read = await getJson(`${h.api}/ers/referrals/${created.ubrn}?refresh=true`);
    expect(read.status).toBe(200);
    expect((await simState(h)).tokensIssued).toBe(before + 1);
    const metrics = await (await fetch(`${h.api}/metrics`)).text();
    expect(metrics).toMatch(/mhs_ers_fhir_token_refreshes_total\{outcome="ok"\} [2-9]/);
    expect(metrics).toMatch(/mhs_ers_fhir_calls_total\{endpoint="A005",status="401"\} 1/);
  });

  it('describes every /ers route in the OpenAPI document, decision bodies from their schemas', async () => {
    const paths = (await getJson(`${h.api}/openapi.json`)).body.paths as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    for (const path of [
      '/ers/referrals/{ubrn}',
      '/ers/referrals/{ubrn}/attachments/{attachmentId}',
      '/ers/sync',
      '/ers/reference-data/rejection-reasons',
      '/ers/reference-data/{codeSystem}',
    ])
      expect(paths[path]?.get, path).toBeDefined();
    for (const action of ['accept', 'reject', 'review-outcome', 'cancel-appointment-action-later'])
      expect(paths[`/ers/referrals/{ubrn}/${action}`]?.post, action).toBeDefined();
    for (const path of [
      '/ers/advice-and-guidance/worklist',
      '/ers/advice-and-guidance/{ubrn}',
      '/ers/advice-and-guidance/{ubrn}/conversation',
      '/ers/referrals/{ubrn}/messages',
      '/messages',
    ])
      expect(paths[path]?.get, path).toBeDefined();
    for (const action of ['respond', 'convert'])
      expect(paths[`/ers/advice-and-guidance/{ubrn}/${action}`]?.post, action).toBeDefined();
    const reject = JSON.stringify(paths['/ers/referrals/{ubrn}/reject']!.post);
    expect(reject).toContain('"required":["reason","comments"]');
  });

  it("passes a user's e-RS session through for user-restricted calls, never re-minting it", async () => {
    const created = await addReferral(h);
    const accessToken = await userSessionToken(h);
    const userHeaders = {
      'X-ERS-Access-Token': accessToken,
      'NHSD-eRS-Business-Function': 'SERVICE_PROVIDER_CLINICIAN',
      'NHSD-eRS-On-Behalf-Of-User-ID': '555123456789',
    };
    const read = await fetch(`${h.api}/ers/referrals/${created.ubrn}`, { headers: userHeaders });
    expect(read.status).toBe(200);
    expect((await simState(h)).lastRequest).toEqual({
      endpoint: 'A005',
      odsCode: h.config.ersFhir.odsCode,
      businessFunction: 'SERVICE_PROVIDER_CLINICIAN',
      onBehalfOf: '555123456789',
    });
    const before = (await simState(h)).tokensIssued;
    const refused = await fetch(`${h.api}/ers/referrals/${created.ubrn}`, {
      headers: { ...userHeaders, 'X-ERS-Access-Token': 'not-a-session' },
    });
    expect(refused.status).toBe(502);
    expect((await simState(h)).tokensIssued).toBe(before);
    expect(
      (await fetch(`${h.api}/ers/referrals/${created.ubrn}`, { headers: { 'X-ERS-Access-Token': 'x' } }))
        .status,
    ).toBe(400);
  });

  it('takes over a decision a stopped gateway left in progress, without acting twice', async () => {
    const created = await addReferral(h);
    await getJson(`${h.api}/ers/referrals/${created.ubrn}`);
    const key = randomUUID();
    // The claim a gateway stopped mid-decision would have left, ten minutes ago.
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    const other = await openStore(h.config.store, { clock: () => tenMinutesAgo });
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(['accept', created.ubrn, {}]))
      .digest('hex');
    await other.referrals.claimDecision({
      idempotencyKey: key,
      ubrn: created.ubrn,
      action: 'accept',
      fingerprint,
    });
    await other.close();
    const taken = await decide(h, created.ubrn, 'accept', {}, key);
    expect(taken.status).toBe(200);
    expect((await simState(h)).referrals.find((r) => r.ubrn === created.ubrn)?.version).toBe(2);
    // A fresh claim still in progress is not taken over.
    const busyKey = randomUUID();
    const now = await openStore(h.config.store);
    await now.referrals.claimDecision({
      idempotencyKey: busyKey,
      ubrn: created.ubrn,
      action: 'accept',
      fingerprint,
    });
    await now.close();
    const busy = await decide(h, created.ubrn, 'accept', {}, busyKey);
    expect(busy.status).toBe(409);
    expect(busy.body.title).toBe('Decision in progress');
  });

  it('links a referral to its HL7 V3 messages by UBRN', async () => {
    const created = await addReferral(h);
    const cancellation = await postJson(`${h.control}/control/cancellation-requests`, { ubrn: created.ubrn });
    const messageId = cancellation.body.messageId as string;
    await h.pas.waitFor((d) => d.messageId === messageId, 'the cancellation request');
    const linked = await getJson(`${h.api}/ers/referrals/${created.ubrn}/messages`);
    expect(linked.status).toBe(200);
    expect(linked.body.messages).toEqual([
      expect.objectContaining({
        messageId,
        interactionId: 'PRSC_IN070000UK08',
        direction: 'inbound',
        href: `/messages/${messageId}`,
      }),
    ]);
    // The same list without the e-RS side: GET /messages filtered by UBRN.
    const filtered = await getJson(`${h.api}/messages?ubrn=${created.ubrn}`);
    expect(filtered.status).toBe(200);
    expect(filtered.body).toEqual({ ubrn: created.ubrn, messages: linked.body.messages });
    const other = await getJson(`${h.api}/messages?ubrn=000000000001`);
    expect(other.body.messages).toEqual([]);
    expect((await getJson(`${h.api}/messages`)).status).toBe(400);
    expect((await getJson(`${h.api}/messages?ubrn=12345`)).status).toBe(400);
    // The dashboard: the message names its referral, whose page lists the message and the copy held.
    const messagePage = await (await fetch(`${h.api}/dashboard/messages/${messageId}`)).text();
    expect(messagePage).toContain(`href="/dashboard/referrals/${created.ubrn}"`);
    await getJson(`${h.api}/ers/referrals/${created.ubrn}`);
    const referralPage = await fetch(`${h.api}/dashboard/referrals/${created.ubrn}`);
    expect(referralPage.status).toBe(200);
    const referralHtml = await referralPage.text();
    expect(referralHtml).toContain(`href="/dashboard/messages/${messageId}"`);
    expect(referralHtml).toContain('data-held="1"');
    expect(referralHtml).toContain('PRSC_IN070000UK08');
    expect((await fetch(`${h.api}/dashboard/referrals/12345`)).status).toBe(404);
  });

  it('answers bad input with problem bodies', async () => {
    expect((await getJson(`${h.api}/ers/referrals/12345`)).status).toBe(400);
    const noKey = await postJson(`${h.api}/ers/referrals/000000070000/accept`, {});
    expect(noKey.status).toBe(400);
    expect(noKey.body.title).toBe('Idempotency-Key required');
    const badBody = await decide(h, '000000070000', 'reject', { reason: 'SERVICE_NOT_PROVIDED' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.detail).toMatch(/^comments:/);
    expect((await getJson(`${h.api}/ers/referrals/999999999999`)).status).toBe(404);
  });
});

describe('the A008 budget', () => {
  let h: Harness | undefined;

  afterAll(async () => {
    await h?.close();
  });

  it('is never exceeded, even across a restart', async () => {
    h = await startHarness(ersEnv(2));
    // Start-up ran the first sync: both lists, the whole budget of 2.
    const first = await eventually(async () => {
      const status = (await getJson(`${h!.api}/ers/sync`)).body as { lastRuns: { outcome: string }[] };
      return status.lastRuns.length === 2 ? status : undefined;
    });
    expect(first?.lastRuns.map((r) => r.outcome)).toEqual(['synced', 'synced']);
    const again = await postJson(`${h.api}/ers/sync`, {});
    expect((again.body.runs as { outcome: string }[]).map((r) => r.outcome)).toEqual([
      'budget-exhausted',
      'budget-exhausted',
    ]);
    await h.restart(0);
    const afterRestart = await postJson(`${h.api}/ers/sync`, {});
    expect((afterRestart.body.runs as { outcome: string }[]).map((r) => r.outcome)).toEqual([
      'budget-exhausted',
      'budget-exhausted',
    ]);
    expect(afterRestart.body.budget).toMatchObject({
      limit: 2,
      services: [{ service: '700001', used: 2, left: 0 }],
    });
    expect((await simState(h)).calls['A008:700001']).toBe(2);
    const metrics = await (await fetch(`${h.api}/metrics`)).text();
    expect(metrics).toMatch(/mhs_ers_fhir_a008_budget_used\{service="700001"\} 2/);
  }, 60_000);
});
