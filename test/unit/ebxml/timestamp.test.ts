import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from '../../../src/ebxml/index.js';

describe('parseTimestamp', () => {
  it.each([
    ['2026-01-05T10:00:00Z', '2026-01-05T10:00:00.000Z'],
    ['2013-10-24T15:08:07', '2013-10-24T15:08:07.000Z'],
    ['2026-01-05T10:00:02.347Z', '2026-01-05T10:00:02.347Z'],
    ['2026-01-05T10:00:02.3456789', '2026-01-05T10:00:02.345Z'],
    ['2026-01-05T11:30:00+01:30', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T05:00:00-05:00', '2026-01-05T10:00:00.000Z'],
    [' 2024-02-29t10:00:00z ', '2024-02-29T10:00:00.000Z'],
  ])('reads %s', (input, iso) => {
    expect(parseTimestamp(input)?.toISOString()).toBe(iso);
  });

  it.each([
    '',
    'yesterday',
    '2026-01-05',
    '2026-13-01T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-01-05T24:00:01Z',
    '2026-01-05T10:00:00+1',
  ])('refuses %j', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });
});

describe('formatTimestamp', () => {
  it('writes whole seconds in UTC with Z', () => {
    expect(formatTimestamp(new Date('2026-01-05T10:00:00.999+02:00'))).toBe('2026-01-05T08:00:00Z');
  });
});
