// The HL7 the gateway builds from a PAS's JSON is not validated again at run time (issue 16: it
// costs ~0.16 ms a message and it is our own template): this property is what makes that safe.
// For every Choose and Book JSON endpoint, any body the endpoint accepts yields HL7 that our
// interaction schema accepts; a body it cannot represent is refused with a 4xx, never a 500.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiDependencies, createApi } from '../../../src/api/index.js';
import {
  cabRequestSchemas,
  cancellationCodeParty,
  PRIORITY_CODES,
  REASON_FOR_APPT_CANCEL,
  REASON_FOR_DNA,
} from '../../../src/cab/index.js';
import { packageRoot } from '../../../src/config/index.js';
import type { OutboundSubmission, SubmitRequest } from '../../../src/outbound/index.js';
import { loadRouteTable } from '../../../src/routing/index.js';
import { validateHl7 } from '../../../src/schemas/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';
import { newId, silent } from '../inbound/setup.js';

const RUNS = 60;

const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
const ubrn = digits(12);
const usrn = fc.stringMatching(
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
);
/** A valid NHS number: nine digits and their Modulus 11 check digit (a check of 10 is no number). */
const nhsNumber = digits(9)
  .map((nine) => {
    const sum = [...nine].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    return check === 10 ? undefined : `${nine}${check}`;
  })
  .filter((n): n is string => n !== undefined);
/** Any text a PAS might send: all of Unicode, markup characters, and the controls XML cannot carry. */
const text = fc.string({ minLength: 1, maxLength: 40, unit: 'binary' });
const reasons = fc.option(
  fc.array(
    fc.record(
      { code: text, displayName: text, qualifier: fc.constantFrom('ER', 'WG', 'IF') },
      { requiredKeys: ['code'] },
    ),
    { maxLength: 3 },
  ),
  { nil: undefined },
);
const codesOf = (words: Readonly<Record<string, string>>, codes: string[]) =>
  fc.constantFrom(...Object.keys(words), ...codes);
const providerCancelReason = codesOf(
  Object.fromEntries(
    Object.entries(REASON_FOR_APPT_CANCEL.words).filter(
      ([, code]) => cancellationCodeParty(code) === 'provider',
    ),
  ),
  Array.from({ length: 19 }, (_, i) => String(i + 1).padStart(2, '0')),
);
const dnaReason = codesOf(REASON_FOR_DNA.words, ['1', '2', '3', '4', '5', '8', '9']);
const offset = fc.constantFrom('Z', '+00:00', '+01:00', '-05:30', '+14:00');
const slot = fc
  .record({
    usrn,
    start: fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    minutes: fc.integer({ min: 1, max: 600 }),
    seconds: fc.boolean(),
    offset,
    priority: fc.option(fc.constantFrom(...Object.keys(PRIORITY_CODES), ...Object.values(PRIORITY_CODES)), {
      nil: undefined,
    }),
  })
  .map(({ usrn, start, minutes, seconds, offset, priority }) => {
    const at = (date: Date) => {
      const iso = date.toISOString().slice(0, seconds ? 23 : 19);
      return `${iso}${offset}`;
    };
    return {
      usrn,
      start: at(start),
      end: at(new Date(start.getTime() + minutes * 60_000)),
      ...(priority ? { priority } : {}),
    };
  });

describe('HL7 built from any body a C&B endpoint accepts is valid against its schema', () => {
  let dir: string;
  let store: SqliteMessageStore;
  let sent: SubmitRequest[];
  let app: ReturnType<typeof createApi>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mhs-cab-built-'));
    store = new SqliteMessageStore(join(dir, 'state.db'));
    sent = [];
    const submission = {
      submit: async (submitted: SubmitRequest) => {
        sent.push(submitted);
        return { messageId: submitted.messageId!, conversationId: newId(), status: 'ACCEPTED' as const };
      },
    } as unknown as OutboundSubmission;
    const deps = {
      routes: loadRouteTable(
        join(packageRoot, 'config', 'interactions.json'),
        join(packageRoot, 'config', 'routes.json'),
      ),
      store,
      submission,
      waiters: undefined,
      maxRequestBytes: 1_000_000,
      asid: '918999198738',
      processingCode: 'P',
      cabSchemas: cabRequestSchemas(),
      deadLetters: undefined,
      logger: silent,
      readinessChecks: [],
      maxBodyBytes: 1_000_000,
      auth: { mode: 'none' },
    } as unknown as ApiDependencies;
    app = createApi(deps);
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An e-RS request as inbound/ stores it, to be answered. */
  async function storedRequest(interactionId: string, request: unknown): Promise<string> {
    const messageId = newId();
    await store.insert({
      messageId,
      direction: 'inbound',
      interactionId,
      conversationId: newId(),
      status: 'DELIVERED',
      data: { request, sender: { partyKey: 'X26-9199246', asid: '227319907548' }, hl7MessageId: newId() },
    });
    return messageId;
  }

  /** POSTs `body`; a 202 must carry HL7 our schema accepts, anything else must be a 4xx problem. */
  async function check(path: string, body: unknown): Promise<void> {
    sent.length = 0;
    const response = await request(app)
      .post(path)
      .send(body as object);
    if (response.status === 202) {
      expect(sent).toHaveLength(1);
      const result = validateHl7(sent[0]!.payloadXml);
      expect(result.errors, sent[0]!.payloadXml).toEqual([]);
      return;
    }
    expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(400);
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  }

  it('slot cancellations, appointment cancellations and DNA lists', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(usrn, { minLength: 1, maxLength: 5 }), (usrns) =>
        check('/cab/slot-cancellations', { usrns }),
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(ubrn, usrn, nhsNumber, providerCancelReason, (ubrn, usrn, nhsNumber, reason) =>
        check('/cab/appointment-cancellations', { ubrn, usrn, nhsNumber, reason }),
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ ubrn, usrn, nhsNumber, reason: dnaReason }), {
          minLength: 1,
          maxLength: 4,
          selector: (a) => a.ubrn,
        }),
        (appointments) => check('/cab/did-not-attend-lists', { appointments }),
      ),
      { numRuns: RUNS },
    );
  });

  it('slot responses to a slot poll', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(slot, { maxLength: 5 }),
        digits(6),
        fc.boolean(),
        async (slots, clinicId, sameClinic) => {
          const poll = await storedRequest('PRSC_IN080000UK07', {
            requestId: newId(),
            clinicId,
            period: { start: '2026-12-01T00:00:00Z', end: '2026-12-31T00:00:00Z' },
          });
          await check('/cab/slot-responses', {
            inResponseTo: poll,
            slots,
            ...(sameClinic ? { clinicId } : {}),
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers to appointment and cancellation requests, with any business reasons', async () => {
    await fc.assert(
      fc.asyncProperty(ubrn, usrn, nhsNumber, reasons, async (ubrn, usrn, nhsNumber, reasons) => {
        const booking = await storedRequest('PRSC_IN040000UK08', {
          requestId: newId(),
          ubrn,
          usrn,
          nhsNumber,
        });
        await check('/cab/appointment-confirmations', { inResponseTo: booking });
        await check('/cab/appointment-rejections', {
          inResponseTo: booking,
          ...(reasons ? { reasons } : {}),
        });
        const cancellation = await storedRequest('PRSC_IN070000UK08', {
          ubrn,
          usrn,
          nhsNumber,
          reason: { code: '21' },
        });
        await check('/cab/cancellation-confirmations', {
          inResponseTo: cancellation,
          ...(reasons ? { reasons } : {}),
        });
        await check('/cab/cancellation-rejections', {
          inResponseTo: cancellation,
          ...(reasons ? { reasons } : {}),
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a reason XML cannot carry with 400 naming the field', async () => {
    sent.length = 0;
    const booking = await storedRequest('PRSC_IN040000UK08', {
      ubrn: '573735410123',
      usrn: '0C2B8F1E-5D36-4C1A-9E07-2F4B6A8D1C35',
      nhsNumber: '9434765919',
    });
    const response = await request(app)
      .post('/cab/appointment-rejections')
      .send({ inResponseTo: booking, reasons: [{ code: '5001', displayName: 'bell \u0007' }] });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'reasons[0].displayName', message: 'contains a character that XML 1.0 cannot carry' },
    ]);
    expect(sent).toEqual([]);
  });
});
