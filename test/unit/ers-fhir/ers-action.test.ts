// The one flow decisions and A&G send their actions through: a lock waited out once, e-RS's answers
// mapped, and an unknown outcome handed to the caller to reconcile.
import { describe, expect, it, vi } from 'vitest';
import { act, type ErsAction } from '../../../src/ers-fhir/ers-action.js';
import { type FhirAnswer, FhirTransportError } from '../../../src/ers-fhir/index.js';

const answer = (status: number, code?: string): FhirAnswer => ({ status, error: code ? { code } : {} });

function action(answers: (FhirAnswer | Error)[], own: Partial<ErsAction> = {}) {
  const send = vi.fn(async () => {
    const next = answers.shift()!;
    if (next instanceof Error) throw next;
    return next;
  });
  const reconcile = vi.fn(async (a?: FhirAnswer) => ({
    status: 299,
    body: { reconciled: a?.status ?? 'no answer' },
    final: true,
  }));
  const spec: ErsAction = {
    what: 'Widget',
    endpoint: 'A999',
    acted: [200],
    send,
    recorded: async () => ({ status: 200, body: { outcome: 'recorded' }, final: true }),
    changed: async () => ({ status: 409, body: { changed: true }, final: true }),
    reconcile,
    lockedDetail: 'someone has it',
    refusedTitle: 'e-RS refused the widget',
    notFoundDetail: 'no widget',
    ...own,
  };
  return { spec, send, reconcile };
}

describe('an action on e-RS', () => {
  it('waits out one lock and records what e-RS then did', async () => {
    const { spec, send } = action([answer(423), answer(200)]);
    expect(await act(spec)).toEqual({ status: 200, body: { outcome: 'recorded' }, final: true });
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('answers a lock that lasts 423 and frees the key', async () => {
    const { spec } = action([answer(423), answer(423)]);
    const locked = await act(spec);
    expect(locked).toMatchObject({ status: 423, final: false, retryAfterSeconds: 30 });
    expect(locked.body.title).toBe('Widget locked in e-RS');
  });

  it('keeps a refusal and a version change, frees the key on not found', async () => {
    expect(await act(action([answer(422, 'INVALID_CODE')]).spec)).toMatchObject({
      status: 422,
      final: true,
      body: { title: 'e-RS refused the widget', ersErrorCode: 'INVALID_CODE' },
    });
    expect(await act(action([answer(409)]).spec)).toMatchObject({ status: 409, final: true });
    expect(await act(action([answer(404)]).spec)).toMatchObject({
      status: 404,
      final: false,
      body: { title: 'Widget not found in e-RS', detail: 'no widget' },
    });
  });

  it('reconciles no answer and a 504 from e-RS, passing the answer when there is one', async () => {
    const silent = action([new FhirTransportError('timed out')]);
    expect((await act(silent.spec)).body).toEqual({ reconciled: 'no answer' });
    expect(silent.reconcile).toHaveBeenCalledWith();
    const pasDown = action([answer(504, 'PAS_NOT_RESPONDING')]);
    expect((await act(pasDown.spec)).body).toEqual({ reconciled: 504 });
  });

  it('lets the caller map a status of its own, and calls anything else unexpected', async () => {
    const forbidden = { status: 403, body: { mine: true }, final: false };
    const own = action([answer(403)], { other: (a) => (a.status === 403 ? forbidden : undefined) });
    expect(await act(own.spec)).toBe(forbidden);
    expect(await act(action([answer(201)]).spec)).toMatchObject({ status: 502, final: false });
  });
});
