import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { advicePaths } from '../../../src/api/ers-advice-openapi.js';
import {
  AdviceShapeError,
  adviceBodies,
  convertParameters,
  mapAdviceRequest,
  mapConversation,
  onceOnly,
  readAdviceWorklist,
  respondParameters,
} from '../../../src/ers-fhir/index.js';
import type { Logger } from '../../../src/ops/index.js';
import { AdviceSimulator } from '../../../src/simulator/ers-fhir/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

function simulator() {
  return new AdviceSimulator(
    () => {
      throw new Error('no referrals here');
    },
    () => false,
    () => ({}),
  );
}

const fhirOf = (answer: { status: number } & ({ json: unknown } | { pdf: Buffer })) =>
  'json' in answer ? answer.json : undefined;

describe('Advice and Guidance mapping', () => {
  it('maps a CommunicationRequest: status, priority, service, conversion authorisation and files', () => {
    const sim = simulator();
    const created = sim.add({
      ubrn: '000011112222',
      priority: 'TWO_WEEK_WAIT',
      authorisedToConvert: false,
      attachments: [{ title: 'history.pdf', availability: 'PENDING' }],
    });
    const advice = mapAdviceRequest(fhirOf(sim.read(created.ubrn, Date.now())));
    expect(advice).toEqual({
      ubrn: '000011112222',
      version: 1,
      nhsNumber: '9434765870',
      status: 'active',
      adviceStatus: { code: 'PROVIDER_RESPONSE_REQUIRED' },
      priority: { code: 'TWO_WEEK_WAIT' },
      specialty: { code: 'DERMATOLOGY' },
      service: { id: '900001' },
      conversionAuthorised: false,
      attachments: [
        expect.objectContaining({ title: 'history.pdf', availability: 'PENDING', attachedAs: 'REFERRER' }),
      ],
    });
  });

  it('leaves out what e-RS did not say rather than guessing', () => {
    const advice = mapAdviceRequest({
      resourceType: 'CommunicationRequest',
      id: '000011113333',
      meta: { versionId: '4' },
    });
    expect(advice).toEqual({ ubrn: '000011113333', version: 4, attachments: [] });
    expect(() => mapAdviceRequest({ resourceType: 'ReferralRequest', id: 'x' })).toThrow(AdviceShapeError);
  });

  it('reads a conversation oldest first, each message with its sender and files from the includes', () => {
    const sim = simulator();
    const created = sim.add({ ubrn: '000011114444', question: 'First question', attachments: [{}] });
    sim.respond(
      created.ubrn,
      respondParameters({
        version: 1,
        outcome: 'REQUIRE_FURTHER_INFORMATION',
        guidance: 'Which creams have been tried?',
        priority: 'ROUTINE',
      }),
      'W/"1"',
      { businessFunction: 'SERVICE_PROVIDER_CLINICIAN', userId: '300000000404', ods: 'RTX' },
      Date.now() + 1000,
    );
    const bundle = fhirOf(sim.conversation(`CommunicationRequest/${created.ubrn}/_history/2`, Date.now()));
    const messages = mapConversation(bundle);
    expect(messages.map((m) => [m.sentBy, m.text, m.attachments.length])).toEqual([
      ['REQUESTER', 'First question', 1],
      ['RESPONDER', 'Which creams have been tried?', 0],
    ]);
    expect(messages[1]!.sender).toEqual({
      userId: '300000000404',
      organisation: 'RTX',
      businessFunction: 'SERVICE_PROVIDER_CLINICIAN',
    });
    // Only the current version's conversation is served.
    expect(sim.conversation(`CommunicationRequest/${created.ubrn}/_history/1`, Date.now()).status).toBe(404);
  });

  it('reads the A&G worklist by UBRN and version, refusing an entry without a version', () => {
    const sim = simulator();
    sim.add({ ubrn: '000011115555' });
    const list = fhirOf(
      sim.worklist(
        {
          parameter: [
            {
              name: 'listType',
              valueCodeableConcept: { coding: [{ code: 'ADVICE_AND_GUIDANCE_REQUESTS' }] },
            },
          ],
        },
        'SERVICE_PROVIDER_ADMIN',
        'http://sim',
      ),
    );
    expect(readAdviceWorklist(list)).toEqual([
      expect.objectContaining({
        ubrn: '000011115555',
        version: 1,
        adviceStatus: 'PROVIDER_RESPONSE_REQUIRED',
      }),
    ]);
    expect(() =>
      readAdviceWorklist({
        resourceType: 'List',
        entry: [{ item: { reference: 'CommunicationRequest/000011115555' } }],
      }),
    ).toThrow(/communicationRequestVersion/);
  });
});

describe('Advice and Guidance actions', () => {
  it('asks for a recommendation exactly when the outcome is advice', () => {
    const base = { version: 2, guidance: 'Try this.', priority: 'ROUTINE' };
    expect(
      adviceBodies.respond.safeParse({ ...base, outcome: 'RETURN_TO_REFERRER_WITH_ADVICE' }).success,
    ).toBe(false);
    expect(
      adviceBodies.respond.safeParse({
        ...base,
        outcome: 'REQUIRE_FURTHER_INFORMATION',
        recommendation: 'OTHER',
      }).success,
    ).toBe(false);
    expect(adviceBodies.respond.safeParse({ ...base, outcome: 'REQUIRE_FURTHER_INFORMATION' }).success).toBe(
      true,
    );
    expect(
      adviceBodies.respond.safeParse({ ...base, outcome: 'REQUIRE_FURTHER_INFORMATION', version: 0 }).success,
    ).toBe(false);
  });

  it('builds A026 and A027 parameters with e-RS names and code systems; A027 names the version in createFrom', () => {
    const respond = respondParameters({
      version: 2,
      outcome: 'RETURN_TO_REFERRER_WITH_ADVICE',
      recommendation: 'REFERRAL_RECOMMENDED',
      guidance: 'Refer.',
      priority: 'URGENT',
    }) as { meta: { profile: string[] }; parameter: { name: string }[] };
    expect(respond.meta.profile[0]).toMatch(/eRS-SendCommunicationToRequester-Request-Parameters-1$/);
    expect(respond.parameter.map((p) => p.name)).toEqual([
      'guidanceOutcome',
      'guidanceIntendedRecommendation',
      'guidance',
      'updatedPriority',
    ]);
    const convert = convertParameters('000011116666', {
      version: 5,
      guidance: 'Converted.',
      priority: 'ROUTINE',
      reviewComments: 'Book it.',
    }) as { parameter: { name: string; valueReference?: { reference: string } }[] };
    expect(convert.parameter[0]).toEqual({
      name: 'createFrom',
      valueReference: { reference: 'CommunicationRequest/000011116666/_history/5' },
    });
  });

  it("documents request examples that the routes' own validators accept", () => {
    const paths = advicePaths(() => ({}), {}) as Record<
      string,
      { post?: { requestBody: { content: { 'application/json': { example: unknown } } } } }
    >;
    for (const action of ['respond', 'convert'] as const) {
      const example =
        paths[`/ers/advice-and-guidance/{ubrn}/${action}`]!.post!.requestBody.content['application/json']
          .example;
      expect(adviceBodies[action].safeParse(example).success, action).toBe(true);
    }
  });
});

describe('once per Idempotency-Key', () => {
  it('replays a final answer, refuses another body under the key, and frees the key when nothing happened', async () => {
    const store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-ag-')), 'state.db'));
    const request = {
      idempotencyKey: 'key-00000001',
      ubrn: '000011117777',
      action: 'ag-respond',
      body: { a: 1 },
    };
    let acted = 0;
    const act = async () => {
      acted += 1;
      return { status: 200, body: { n: acted }, final: true };
    };
    expect(await onceOnly(store.referrals, quiet, () => new Date(), request, act)).toEqual({
      status: 200,
      body: { n: 1 },
    });
    expect(await onceOnly(store.referrals, quiet, () => new Date(), request, act)).toEqual({
      status: 200,
      body: { n: 1 },
      replayed: true,
    });
    expect(acted).toBe(1);
    const other = await onceOnly(
      store.referrals,
      quiet,
      () => new Date(),
      { ...request, body: { a: 2 } },
      act,
    );
    expect(other.status).toBe(422);
    // Not final (e.g. locked): the key is freed, and the next try acts.
    const freed = { ...request, idempotencyKey: 'key-00000002' };
    await onceOnly(
      store.referrals,
      quiet,
      () => new Date(),
      freed,
      async () => ({ status: 423, body: {}, final: false }),
    );
    expect((await onceOnly(store.referrals, quiet, () => new Date(), freed, act)).body).toEqual({ n: 2 });
    // A throw frees it too.
    const thrown = { ...request, idempotencyKey: 'key-00000003' };
    await expect(
      onceOnly(
        store.referrals,
        quiet,
        () => new Date(),
        thrown,
        async () => {
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');
    expect((await onceOnly(store.referrals, quiet, () => new Date(), thrown, act)).body).toEqual({ n: 3 });
    await store.close();
  });
});
