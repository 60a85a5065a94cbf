import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control, ersEnv, userSessionToken } from './ers-support.js';
import { eventually, getJson, type Harness, postJson, startHarness } from './harness.js';

/** Advice and Guidance (A023–A027, A043) end to end: gateway, simulator and the store (issue 17). */

interface SimAdviceState {
  ubrn: string;
  version: number;
  category: string;
  status: string;
  messages: number;
}

async function addAdvice(h: Harness, input: Record<string, unknown> = {}) {
  return (await control(h, 'POST', '/control/ers/advice', {
    service: { id: '700001', name: 'Test Dermatology Advice' },
    ...input,
  })) as { ubrn: string; version: number; attachments: { id: string; binaryId: string }[] };
}

async function simAdvice(h: Harness, ubrn: string): Promise<SimAdviceState | undefined> {
  const state = (await control(h, 'GET', '/control/ers')) as { advice: SimAdviceState[] };
  return state.advice.find((a) => a.ubrn === ubrn);
}

async function simCalls(h: Harness): Promise<Record<string, number>> {
  return ((await control(h, 'GET', '/control/ers')) as { calls: Record<string, number> }).calls;
}

describe('Advice and Guidance through the gateway', () => {
  let h: Harness;
  let user: Record<string, string>;

  const act = (ubrn: string, action: string, body: unknown, key = randomUUID(), headers = user) =>
    postJson(`${h.api}/ers/advice-and-guidance/${ubrn}/${action}`, body, {
      'Idempotency-Key': key,
      ...headers,
    });

  beforeAll(async () => {
    h = await startHarness(ersEnv(1000));
    user = {
      'X-ERS-Access-Token': await userSessionToken(h),
      'NHSD-eRS-Business-Function': 'SERVICE_PROVIDER_CLINICIAN',
      'NHSD-eRS-On-Behalf-Of-User-ID': '300000000303',
    };
  }, 60_000);

  afterAll(() => h?.close());

  it('reads a request as the application (A024), its conversation (A025), files and overview (A043) downloaded', async () => {
    const created = await addAdvice(h, {
      priority: 'URGENT',
      question: 'Spreading rash on both forearms, six weeks. Photo attached.',
      attachments: [{ title: 'rash.jpg', contentType: 'image/jpeg', content: 'not really a jpeg' }],
    });
    const read = await getJson(`${h.api}/ers/advice-and-guidance/${created.ubrn}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      ubrn: created.ubrn,
      version: 1,
      status: 'active',
      adviceStatus: { code: 'PROVIDER_RESPONSE_REQUIRED' },
      priority: { code: 'URGENT' },
      specialty: { code: 'DERMATOLOGY' },
      service: { id: '700001' },
      conversionAuthorised: true,
      attachments: [
        {
          id: created.attachments[0]!.id,
          title: 'rash.jpg',
          availability: 'AVAILABLE',
          attachedAs: 'REFERRER',
        },
        { id: 'advice-overview-v1', contentType: 'application/pdf' },
      ],
    });
    const conversation = await getJson(`${h.api}/ers/advice-and-guidance/${created.ubrn}/conversation`);
    expect(conversation.status).toBe(200);
    expect(conversation.body).toMatchObject({
      ubrn: created.ubrn,
      version: 1,
      messages: [
        {
          sentBy: 'REQUESTER',
          text: 'Spreading rash on both forearms, six weeks. Photo attached.',
          sender: { businessFunction: 'REFERRING_CLINICIAN' },
          attachments: [{ id: created.attachments[0]!.id, contentType: 'image/jpeg' }],
        },
      ],
    });
    // The file (A042 → object store) and the overview PDF (A043) are downloaded like a referral's.
    const downloaded = await eventually(async () => {
      const again = await getJson(`${h.api}/ers/advice-and-guidance/${created.ubrn}`);
      const files = again.body.attachments as { id: string; status: string; href?: string }[];
      return files.length === 2 && files.every((f) => f.status === 'DOWNLOADED') ? files : undefined;
    });
    expect(downloaded?.map((f) => f.id)).toEqual([created.attachments[0]!.id, 'advice-overview-v1']);
    const photo = await fetch(`${h.api}${downloaded![0]!.href}`);
    expect(await photo.text()).toBe('not really a jpeg');
    const overview = await fetch(`${h.api}${downloaded![1]!.href}`);
    expect(overview.headers.get('content-type')).toBe('application/pdf');
    expect(await overview.text()).toContain(`UBRN ${created.ubrn} version 1`);
    const calls = await simCalls(h);
    expect(calls.A043).toBeGreaterThanOrEqual(1);
    const fhir = await fetch(`${h.api}/ers/advice-and-guidance/${created.ubrn}?format=fhir`);
    expect(fhir.headers.get('etag')).toBe('W/"1"');
    expect(((await fhir.json()) as { resourceType: string }).resourceType).toBe('CommunicationRequest');
  });

  it('answers a referral UBRN, an unknown one and a bad one as e-RS does', async () => {
    const referral = (await control(h, 'POST', '/control/ers/referrals', {})) as { ubrn: string };
    const wrongType = await getJson(`${h.api}/ers/advice-and-guidance/${referral.ubrn}`);
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.ersErrorCode).toBe('INVALID_REQUEST_TYPE');
    expect((await getJson(`${h.api}/ers/advice-and-guidance/999999999999`)).status).toBe(404);
    expect((await getJson(`${h.api}/ers/advice-and-guidance/12345`)).status).toBe(400);
  });

  it("lists the A&G worklist (A023) only with a user's session, passed through", async () => {
    const created = await addAdvice(h);
    const refused = await getJson(`${h.api}/ers/advice-and-guidance/worklist`);
    expect(refused.status).toBe(403);
    expect(refused.body.title).toBe('User-restricted in e-RS');
    const response = await fetch(`${h.api}/ers/advice-and-guidance/worklist`, { headers: user });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { entries: { ubrn: string; version: number }[] };
    expect(body.entries).toContainEqual(
      expect.objectContaining({ ubrn: created.ubrn, version: 1, adviceStatus: 'PROVIDER_RESPONSE_REQUIRED' }),
    );
    const state = (await control(h, 'GET', '/control/ers')) as { lastRequest: Record<string, string> };
    expect(state.lastRequest).toMatchObject({
      endpoint: 'A023',
      businessFunction: 'SERVICE_PROVIDER_CLINICIAN',
      onBehalfOf: '300000000303',
    });
  });

  it('responds with advice (A026) once per key, on the version read; a stale version is a 409', async () => {
    const created = await addAdvice(h);
    const body = {
      version: 1,
      outcome: 'RETURN_TO_REFERRER_WITH_ADVICE',
      recommendation: 'ADVICE_ONLY_NO_REFERRAL_RECOMMENDED',
      guidance: 'Emollient twice daily and a mild steroid for a fortnight.',
      priority: 'ROUTINE',
    };
    expect((await act(created.ubrn, 'respond', body, randomUUID(), {})).status).toBe(403);
    const missing = await act(created.ubrn, 'respond', { ...body, recommendation: undefined });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/^recommendation:/);
    const key = randomUUID();
    const sent = await act(created.ubrn, 'respond', body, key);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      ubrn: created.ubrn,
      action: 'respond',
      outcome: 'recorded',
      sentVersion: 1,
      advice: { version: 2, adviceStatus: { code: 'REFERRER_TO_REVIEW_RESPONSE' } },
      message: { sentBy: 'RESPONDER', text: body.guidance },
    });
    expect((await control(h, 'GET', '/control/ers')).lastRequest).toMatchObject({ ifMatch: 'W/"1"' });
    const replay = await act(created.ubrn, 'respond', body, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await simAdvice(h, created.ubrn)).toMatchObject({ version: 2, messages: 2 });
    const stale = await act(created.ubrn, 'respond', body);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ sentVersion: 1, advice: { version: 2 } });
    const reused = await act(created.ubrn, 'respond', { ...body, guidance: 'Something else.' }, key);
    expect(reused.status).toBe(422);
  });

  it('converts an authorised request into a referral (A027) that GET /ers/referrals then serves; refuses an unauthorised one', async () => {
    const body = {
      version: 1,
      guidance: 'This needs seeing in clinic; converted to a referral.',
      priority: 'URGENT',
      reviewComments: 'Book into the next urgent dermatology clinic.',
    };
    const unauthorised = await addAdvice(h, { authorisedToConvert: false });
    const refused = await act(unauthorised.ubrn, 'convert', body);
    expect(refused.status).toBe(422);
    expect(refused.body.ersErrorCode).toBe('INVALID_REQUEST_STATE');
    const created = await addAdvice(h);
    const converted = await act(created.ubrn, 'convert', body);
    expect(converted.status).toBe(200);
    expect(converted.body).toMatchObject({
      ubrn: created.ubrn,
      action: 'convert',
      outcome: 'recorded',
      referral: {
        ubrn: created.ubrn,
        priority: { code: 'URGENT' },
        state: { code: 'TRIAGED_PROVIDER_TO_ACTION', comment: body.reviewComments },
      },
    });
    const before = (await simCalls(h)).A005 ?? 0;
    const held = await getJson(`${h.api}/ers/referrals/${created.ubrn}`);
    expect(held.status).toBe(200);
    expect((await simCalls(h)).A005 ?? 0).toBe(before);
    expect(await simAdvice(h, created.ubrn)).toMatchObject({
      category: 'ADVICE_CONVERTED',
      status: 'completed',
    });
  });

  it('reconciles an answer lost after e-RS acted, and waits out a lock once before answering 423', async () => {
    const created = await addAdvice(h);
    await control(h, 'PUT', '/control/ers/faults', [{ endpoint: 'A026', status: 504, times: 1, act: true }]);
    const body = {
      version: 1,
      outcome: 'REQUIRE_FURTHER_INFORMATION',
      guidance: 'Please send a photo in daylight and the current medication.',
      priority: 'ROUTINE',
    };
    const reconciled = await act(created.ubrn, 'respond', body);
    expect(reconciled.status).toBe(200);
    expect(reconciled.body).toMatchObject({
      reconciled: true,
      advice: { version: 2, adviceStatus: { code: 'REFERRER_TO_SUBMIT_FURTHER_INFORMATION' } },
    });
    const locked = await addAdvice(h);
    await control(h, 'POST', `/control/ers/advice/${locked.ubrn}/lock`);
    const key = randomUUID();
    const answer = await act(locked.ubrn, 'respond', body, key);
    expect(answer.status).toBe(423);
    expect(answer.headers.get('retry-after')).toBe('30');
    await control(h, 'POST', `/control/ers/advice/${locked.ubrn}/unlock`);
    // The key was freed: the same request goes through now.
    expect((await act(locked.ubrn, 'respond', body, key)).status).toBe(200);
  });
});
