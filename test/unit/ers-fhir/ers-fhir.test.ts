import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backoffMs,
  budgetDay,
  clientAssertion,
  decisionParameters,
  diffWorklists,
  type FhirClient,
  inForce,
  mapReferral,
  permittedActions,
  ReferralShapeError,
  type Referrals,
  readConcepts,
  readOperationOutcome,
  readWorklist,
  TokenClient,
  tokenRequestBody,
  versionFromEtag,
  WorklistSync,
} from '../../../src/ers-fhir/index.js';
import type { Logger } from '../../../src/ops/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as unknown;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('the client assertion', () => {
  it('is an RS512 JWT over the platform claims, verifiable with the registered public key', () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const jwt = clientAssertion(privateKey, {
      apiKey: 'app-key-1',
      tokenUrl: 'https://int.api.service.nhs.uk/oauth2/token',
      keyId: 'key-2026',
      jti: 'c7a1f1e2-0000-4000-8000-000000000001',
      now,
      lifetimeSeconds: 9999,
    });
    const [header, payload, signature] = jwt.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({
      alg: 'RS512',
      typ: 'JWT',
      kid: 'key-2026',
    });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toEqual({
      iss: 'app-key-1',
      sub: 'app-key-1',
      aud: 'https://int.api.service.nhs.uk/oauth2/token',
      jti: 'c7a1f1e2-0000-4000-8000-000000000001',
      iat: 1_796_292_000,
      // Capped at the platform's five minutes, whatever was asked.
      exp: 1_796_292_300,
    });
    const verify = (key: typeof publicKey) =>
      createVerify('RSA-SHA512')
        .update(`${header}.${payload}`)
        .verify(key, Buffer.from(signature!, 'base64url'));
    expect(verify(publicKey)).toBe(true);
    expect(verify(createPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey))).toBe(
      false,
    );
    expect(new URLSearchParams(tokenRequestBody(jwt)).get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
  });
});

describe('the token client', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function tokenServer(lifetime: number) {
    let issued = 0;
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        issued += 1;
        // Slow enough that callers pile up behind one exchange.
        setTimeout(() => {
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ access_token: `token-${issued}`, expires_in: String(lifetime) }));
        }, 50);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, issued: () => issued };
  }

  it('exchanges once for callers that arrive together, caches, and renews a refused token once', async () => {
    const server = await tokenServer(600);
    const client = new TokenClient({
      tokenUrl: server.url,
      apiKey: 'k',
      keyId: 'kid',
      privateKey,
      timeoutMs: 5000,
    });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => client.token()));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(await client.token()).toBe('token-1');
    expect(server.issued()).toBe(1);
    const [a, b] = await Promise.all([client.renew('token-1'), client.renew('token-1')]);
    expect([a, b]).toEqual(['token-2', 'token-2']);
    // A caller still holding the refused token gets the new one without another exchange.
    expect(await client.renew('token-1')).toBe('token-2');
    expect(server.issued()).toBe(2);
  });

  it('renews shortly before expiry, not after', async () => {
    const server = await tokenServer(60);
    let now = Date.parse('2026-12-03T10:00:00Z');
    const client = new TokenClient({
      tokenUrl: server.url,
      apiKey: 'k',
      keyId: 'kid',
      privateKey,
      timeoutMs: 5000,
      clock: () => new Date(now),
    });
    expect(await client.token()).toBe('token-1');
    now += 29_000;
    expect(await client.token()).toBe('token-1');
    now += 2_000; // inside the 30 s margin
    expect(await client.token()).toBe('token-2');
  });
});

describe('mapping a ReferralRequest to plain JSON', () => {
  for (const name of ['referral-booked', 'referral-rejected']) {
    it(`matches the golden file for ${name}`, () => {
      expect(mapReferral(fixture(`${name}.json`))).toEqual(fixture(`${name}.expected.json`));
    });
  }

  it('refuses anything that is not a versioned ReferralRequest', () => {
    expect(() => mapReferral({ resourceType: 'Patient' })).toThrow(ReferralShapeError);
    expect(() => mapReferral({ resourceType: 'ReferralRequest', id: '000000000001' })).toThrow(/versionId/);
  });
});

describe('worklists', () => {
  const list = (entries: [string, number][]) => ({
    resourceType: 'List',
    entry: entries.map(([ubrn, version]) => ({
      extension: [
        {
          url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-eRS-ReferralsforReview-WorkListItem-1',
          extension: [{ url: 'referralRequestVersion', valueInteger: version }],
        },
      ],
      item: { reference: `ReferralRequest/${ubrn}` },
    })),
  });

  it('reads UBRN and version from each entry; refuses an entry without a version', () => {
    expect(
      readWorklist(
        list([
          ['000000000001', 3],
          ['000000000002', 1],
        ]),
      ),
    ).toEqual([
      { ubrn: '000000000001', version: 3 },
      { ubrn: '000000000002', version: 1 },
    ]);
    expect(readWorklist({ resourceType: 'List' })).toEqual([]);
    expect(() =>
      readWorklist({
        resourceType: 'List',
        entry: [{ item: { reference: 'ReferralRequest/000000000001' } }],
      }),
    ).toThrow(/entry\[0\]/);
    expect(() => readWorklist({ resourceType: 'OperationOutcome' })).toThrow(/not a List/);
  });

  it('diffs by UBRN and version', () => {
    const previous = [
      { ubrn: 'a', version: 1 },
      { ubrn: 'b', version: 2 },
      { ubrn: 'c', version: 5 },
    ];
    const current = [
      { ubrn: 'b', version: 3 },
      { ubrn: 'c', version: 5 },
      { ubrn: 'd', version: 1 },
    ];
    expect(diffWorklists(previous, current)).toEqual({
      added: [{ ubrn: 'd', version: 1 }],
      changed: [{ ubrn: 'b', version: 3, previous: 2 }],
      removed: [{ ubrn: 'a', version: 1 }],
    });
    expect(diffWorklists(current, current)).toEqual({ added: [], changed: [], removed: [] });
  });

  it('counts the budget by the day in England', () => {
    expect(budgetDay(new Date('2026-07-01T23:30:00Z'))).toBe('2026-07-02'); // BST
    expect(budgetDay(new Date('2026-12-01T23:30:00Z'))).toBe('2026-12-01'); // GMT
  });
});

describe('e-RS answers', () => {
  it('reads the eRS-APIErrorCode-1 code from an STU3 OperationOutcome and the R4 code system', () => {
    const outcome = (system: string, code: string) => ({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invalid', details: { coding: [{ system, code }] }, diagnostics: 'why' },
      ],
    });
    expect(
      readOperationOutcome(
        outcome('https://fhir.nhs.uk/STU3/CodeSystem/eRS-APIErrorCode-1', 'INVALID_REQUEST_STATE'),
      ),
    ).toEqual({
      code: 'INVALID_REQUEST_STATE',
      diagnostics: 'why',
    });
    expect(
      readOperationOutcome(outcome('https://fhir.nhs.uk/CodeSystem/ers-error-codes', 'THREATS_FOUND')).code,
    ).toBe('THREATS_FOUND');
    expect(readOperationOutcome(outcome('https://example.invalid/other', 'X'))).toEqual({
      diagnostics: 'why',
    });
    expect(readOperationOutcome(undefined)).toEqual({});
  });

  it('reads versions from weak ETags only', () => {
    expect(versionFromEtag('W/"12"')).toBe(12);
    expect(versionFromEtag('"12"')).toBeUndefined();
    expect(versionFromEtag(null)).toBeUndefined();
  });

  it('backs off by Retry-After (seconds or date), else 1 s, 2 s, 4 s, capped at a minute', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(backoffMs('3', 1, now)).toBe(3000);
    expect(backoffMs('Thu, 03 Dec 2026 10:00:05 GMT', 1, now)).toBe(5000);
    expect(backoffMs(null, 1, now)).toBe(1000);
    expect(backoffMs(null, 3, now)).toBe(4000);
    expect(backoffMs('86400', 1, now)).toBe(60_000);
    expect(backoffMs('soon', 2, now)).toBe(2000);
  });

  it('lists the permitted actions of an A029 Task bundle', () => {
    const bundle = {
      resourceType: 'Bundle',
      entry: [
        {
          resource: {
            resourceType: 'Task',
            code: {
              coding: [
                {
                  system: 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-AvailableActionsForUser-1',
                  code: 'RECORD_REVIEW_OUTCOME',
                },
              ],
            },
          },
        },
        {
          resource: {
            resourceType: 'Task',
            code: { coding: [{ system: 'https://example.invalid/x', code: 'OTHER' }] },
          },
        },
      ],
    };
    expect(permittedActions(bundle)).toEqual(['RECORD_REVIEW_OUTCOME']);
    expect(permittedActions({})).toEqual([]);
  });

  it('builds each decision body as e-RS expects', () => {
    expect(decisionParameters('accept', {}, 'https://ers.example')).toBeUndefined();
    expect(
      decisionParameters(
        'reject',
        { reason: 'SERVICE_NOT_PROVIDED', comments: 'c', appointmentCancelledInPas: true },
        'https://ers.example',
      ),
    ).toEqual({
      resourceType: 'Parameters',
      meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/eRS-RejectReferral-Parameters-1'] },
      parameter: [
        {
          name: 'rejectionReason',
          valueCoding: {
            system: 'https://ers.example/STU3/CodeSystem/APPOINTMENT-CANCELLATION-REASON',
            code: 'SERVICE_NOT_PROVIDED',
          },
        },
        { name: 'rejectionComments', valueString: 'c' },
        { name: 'appointmentCancelledInPAS', valueBoolean: true },
      ],
    });
  });

  it('filters reference data to the concepts in force for a usage', () => {
    const concepts = readConcepts({
      resourceType: 'CodeSystem',
      concept: [
        { code: 'A', property: [{ code: 'usage', valueCoding: { code: 'REJECT' } }] },
        {
          code: 'B',
          property: [
            { code: 'usage', valueCoding: { code: 'REJECT' } },
            { code: 'effectiveTo', valueDateTime: '2020-01-01T00:00:00.000Z' },
          ],
        },
        {
          code: 'C',
          property: [
            { code: 'usage', valueCoding: { code: 'CANCEL' } },
            { code: 'commentIsMandatory', valueBoolean: true },
          ],
        },
      ],
    });
    expect(inForce(concepts, new Date('2026-12-03T00:00:00Z'), 'REJECT').map((c) => c.code)).toEqual(['A']);
    expect(inForce(concepts, new Date('2019-12-03T00:00:00Z'), 'REJECT').map((c) => c.code)).toEqual([
      'A',
      'B',
    ]);
    expect(concepts[2]).toEqual({ code: 'C', usage: 'CANCEL', commentIsMandatory: true });
  });
});

describe('the worklist sync', () => {
  it('makes no A008 call and spends no budget while events cannot be published', async () => {
    const store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-ers-')), 'state.db'));
    const noCalls = {
      call: () => {
        throw new Error('A008 must not be called');
      },
    } as unknown as FhirClient;
    const sync = new WorklistSync(
      { services: ['S1'], lists: ['REFERRALS_FOR_REVIEW'], dailyBudget: 2, intervalMs: 60_000 },
      noCalls,
      store.referrals,
      {} as Referrals,
      async () => undefined,
      { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger,
      () => undefined,
      () => false,
    );
    const [run] = await sync.runOnce();
    expect(run).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/budget not spent/) });
    expect((await sync.budget()).services).toEqual([{ service: 'S1', used: 0, left: 2 }]);
    await store.close();
  });
});
