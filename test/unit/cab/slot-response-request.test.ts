import { describe, expect, it } from 'vitest';
import { slotResponseRequestSchema } from '../../../src/cab/index.js';

const SLOT = {
  usrn: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  start: '2026-01-06T09:00:00Z',
  end: '2026-01-06T09:15:00Z',
};

function issues(input: unknown) {
  const result = slotResponseRequestSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues;
}

describe('slotResponseRequestSchema', () => {
  it('accepts a valid answer and normalises priority codes to words', () => {
    const parsed = slotResponseRequestSchema.parse({
      inResponseTo: 'MSG-1',
      clinicId: 'CL1',
      slots: [
        { ...SLOT, priority: '2' },
        { ...SLOT, priority: 'two-week-wait' },
        { ...SLOT, priority: '1' },
        SLOT,
      ],
    });
    expect(parsed.slots.map((s) => s.priority)).toEqual(['urgent', 'two-week-wait', 'routine', undefined]);
    expect(parsed.clinicId).toBe('CL1');
  });

  it('accepts no slots and offsets in date-times', () => {
    expect(slotResponseRequestSchema.parse({ inResponseTo: 'M', slots: [] })).toEqual({
      inResponseTo: 'M',
      slots: [],
    });
    const withOffset = { ...SLOT, start: '2026-06-06T10:00:00+01:00', end: '2026-06-06T09:30:00Z' };
    expect(slotResponseRequestSchema.safeParse({ inResponseTo: 'M', slots: [withOffset] }).success).toBe(
      true,
    );
  });

  it('names a missing slots[0].usrn', () => {
    const { usrn: _usrn, ...noUsrn } = SLOT;
    expect(issues({ inResponseTo: 'M', slots: [noUsrn] }).map((i) => i.path)).toEqual([['slots', 0, 'usrn']]);
  });

  it('refuses an end before (or at) the start, naming end', () => {
    const backwards = { ...SLOT, start: SLOT.end, end: SLOT.start };
    expect(issues({ inResponseTo: 'M', slots: [SLOT, backwards] })).toMatchObject([
      { path: ['slots', 1, 'end'], message: 'end must be after start' },
    ]);
    expect(issues({ inResponseTo: 'M', slots: [{ ...SLOT, end: SLOT.start }] })[0]?.path).toEqual([
      'slots',
      0,
      'end',
    ]);
  });

  it.each([['4'], ['Urgent'], ['emergency']])('refuses priority %s', (priority) => {
    expect(issues({ inResponseTo: 'M', slots: [{ ...SLOT, priority }] })[0]?.path).toEqual([
      'slots',
      0,
      'priority',
    ]);
  });

  it('refuses a bad USRN, a zone-less date-time, unknown fields and a missing inResponseTo', () => {
    expect(issues({ inResponseTo: 'M', slots: [{ ...SLOT, usrn: 'not-a-uuid' }] })[0]?.path).toEqual([
      'slots',
      0,
      'usrn',
    ]);
    expect(
      issues({ inResponseTo: 'M', slots: [{ ...SLOT, start: '2026-01-06T09:00:00' }] })[0]?.path,
    ).toEqual(['slots', 0, 'start']);
    expect(issues({ inResponseTo: 'M', slots: [{ ...SLOT, priorty: '2' }] })[0]?.code).toBe(
      'unrecognized_keys',
    );
    expect(issues({ slots: [] })[0]?.path).toEqual(['inResponseTo']);
  });
});
