import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import { GatewayError } from '../../../src/errors/index.js';
import {
  ALLOWED_FROM,
  ANSWERABLE_STATES,
  AWAITING_SIGNAL_STATES,
  checkTransition,
  DEAD_LETTER_STATES,
  ERROR_OUTCOME_STATES,
  FINAL,
  FINAL_OUTBOUND_STATES,
  IllegalTransitionError,
  IN_FLIGHT_OUTBOUND_STATES,
  INBOUND_STATES,
  lifecycleDiagram,
  MESSAGE_STATES,
  type MessageState,
  mayMove,
  OUTBOUND_STATES,
  TRANSITIONS,
} from '../../../src/lifecycle/index.js';

/** Every allowed move, written out by hand: a change to the lifecycle must change this list too. */
const ALLOWED: [from: MessageState, to: MessageState][] = [
  ['FAILED', 'ACCEPTED'],
  ['ACCEPTED', 'SENDING'],
  ['RETRYING', 'SENDING'],
  ['SENDING', 'SENDING'],
  ['SENDING', 'SENT'],
  ['SENDING', 'ACKED'],
  ['SENT', 'ACKED'],
  ['RETRYING', 'ACKED'],
  ['SENDING', 'RETRYING'],
  ['FAILED', 'RETRYING'],
  ...(['COMPLETED', 'NACKED', 'REJECTED'] as const).flatMap((to) =>
    (['SENDING', 'SENT', 'RETRYING', 'ACKED'] as const).map((from): [MessageState, MessageState] => [
      from,
      to,
    ]),
  ),
  ['ACCEPTED', 'FAILED'],
  ['SENDING', 'FAILED'],
  ['RETRYING', 'FAILED'],
  ['SENT', 'UNANSWERED'],
  ['ACKED', 'UNANSWERED'],
  ['RECEIVED', 'DELIVERED'],
];

const key = ([from, to]: [MessageState, MessageState]) => `${from} -> ${to}`;

describe('the message lifecycle', () => {
  it('allows exactly the listed moves', () => {
    const table = MESSAGE_STATES.flatMap((to) => ALLOWED_FROM[to].map((from) => key([from, to])));
    expect(table.sort()).toEqual(ALLOWED.map(key).sort());
  });

  it.each(ALLOWED)('%s -> %s is allowed', (from, to) => {
    expect(mayMove(from, to)).toBe(true);
    expect(checkTransition(from, to)).toBe(true);
    expect(checkTransition(from, to, [from])).toBe(true);
  });

  it.each([
    ['ACCEPTED', 'SENT'],
    ['ACCEPTED', 'ACKED'],
    ['ACCEPTED', 'COMPLETED'],
    ['SENT', 'FAILED'],
    ['ACKED', 'ACKED'],
    ['COMPLETED', 'SENDING'],
    ['UNANSWERED', 'RETRYING'],
    ['DELIVERED', 'RECEIVED'],
    ['RECEIVED', 'SENDING'],
    ['SENDING', 'DELIVERED'],
  ] as [MessageState, MessageState][])('%s -> %s is refused with a clear error', (from, to) => {
    expect(mayMove(from, to)).toBe(false);
    expect(() => checkTransition(from, to)).toThrow(IllegalTransitionError);
    expect(() => checkTransition(from, to)).toThrow(`a message cannot move to ${to} from ${from}`);
  });

  it('refuses a `from` list naming any state the target cannot be entered from, whatever the current state', () => {
    const error = (() => {
      try {
        checkTransition('SENDING', 'SENT', ['SENDING', 'ACCEPTED']);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'ILLEGAL_TRANSITION', status: 500, to: 'SENT', from: ['ACCEPTED'] });
    expect((error as Error).message).toBe(
      'a message cannot move to SENT from ACCEPTED: SENT is entered only from SENDING',
    );
  });

  it('a narrower `from` is a compare-and-set: false when the message is no longer in it', () => {
    expect(checkTransition('SENT', 'ACKED', ['SENDING'])).toBe(false);
    expect(checkTransition('SENT', 'ACKED', ['SENDING', 'SENT'])).toBe(true);
    expect(checkTransition('COMPLETED', 'NACKED', ANSWERABLE_STATES)).toBe(false);
  });

  it('no move enters a message into the state it is stored in, except a resubmission after 503', () => {
    expect(ALLOWED_FROM.RECEIVED).toEqual([]);
    expect(ALLOWED_FROM.ACCEPTED).toEqual(['FAILED']);
  });

  it('final states have no way out but a replay of a FAILED message', () => {
    const exits = FINAL.flatMap((from) =>
      MESSAGE_STATES.filter((to) => mayMove(from, to)).map((to) => key([from, to])),
    );
    // docs/reliability.md: replay with the same MessageId (FAILED -> RETRYING); the PAS's retry of a
    // message answered 503 and never queued (FAILED -> ACCEPTED). UNANSWERED is replayed as a new message.
    expect(exits.sort()).toEqual(['FAILED -> ACCEPTED', 'FAILED -> RETRYING']);
  });

  it('derives the other lists from the states', () => {
    expect(FINAL).toEqual([...FINAL_OUTBOUND_STATES, 'DELIVERED']);
    expect(IN_FLIGHT_OUTBOUND_STATES).toEqual(['ACCEPTED', 'SENDING', 'SENT', 'RETRYING', 'ACKED']);
    expect(MESSAGE_STATES).toEqual([...OUTBOUND_STATES, ...INBOUND_STATES]);
    for (const state of [...AWAITING_SIGNAL_STATES, ...ANSWERABLE_STATES])
      expect(IN_FLIGHT_OUTBOUND_STATES).toContain(state);
    for (const state of [...DEAD_LETTER_STATES, ...ERROR_OUTCOME_STATES]) expect(FINAL).toContain(state);
    // A message waiting for a signal ends UNANSWERED at its reply deadline, and only such a one.
    expect(ALLOWED_FROM.UNANSWERED).toEqual(AWAITING_SIGNAL_STATES);
  });

  it('labels every move, for the diagram', () => {
    for (const to of MESSAGE_STATES)
      for (const label of Object.values(TRANSITIONS[to])) expect(label).toMatch(/\S/);
  });
});

describe('docs/lifecycle.md', () => {
  const file = join(packageRoot, 'docs', 'lifecycle.md');
  const BLOCK = /```mermaid\n([\s\S]*?)```/;

  it('shows the diagram the lifecycle module draws (UPDATE_DOCS=1 rewrites it)', () => {
    let doc = readFileSync(file, 'utf8');
    if (process.env.UPDATE_DOCS === '1') {
      doc = doc.replace(BLOCK, () => `\`\`\`mermaid\n${lifecycleDiagram()}\`\`\``);
      writeFileSync(file, doc);
    }
    expect(BLOCK.exec(doc)?.[1], 'docs/lifecycle.md: its mermaid block differs from src/lifecycle').toBe(
      lifecycleDiagram(),
    );
  });

  it('draws every allowed move once, and an entry and exits', () => {
    const diagram = lifecycleDiagram();
    for (const [from, to] of ALLOWED) expect(diagram).toContain(`    ${from} --> ${to}: `);
    expect(diagram).toContain('    [*] --> ACCEPTED: ');
    expect(diagram).toContain('    [*] --> RECEIVED: ');
    for (const state of FINAL) expect(diagram).toContain(`    ${state} --> [*]\n`);
  });
});
