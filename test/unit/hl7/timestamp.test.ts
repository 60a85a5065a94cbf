import { describe, expect, it } from 'vitest';
import { formatHl7Timestamp, Hl7Error, hl7CreationTime } from '../../../src/hl7/index.js';

describe('formatHl7Timestamp', () => {
  const withMillis = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 60));
  const onTheMinute = new Date(Date.UTC(2026, 0, 2, 3, 4, 0));

  it('seconds: always fourteen digits in UTC, milliseconds dropped', () => {
    expect(formatHl7Timestamp(withMillis, 'seconds')).toBe('20260102030405');
    expect(formatHl7Timestamp(onTheMinute, 'seconds')).toBe('20260102030400');
    expect(hl7CreationTime(withMillis)).toBe('20260102030405');
  });

  it('exact: no seconds when they are zero, milliseconds after a dot when present', () => {
    expect(formatHl7Timestamp(onTheMinute, 'exact')).toBe('202601020304');
    expect(formatHl7Timestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), 'exact')).toBe('20260102030405');
    expect(formatHl7Timestamp(withMillis, 'exact')).toBe('20260102030405.060');
  });

  it('refuses an invalid date, naming the field', () => {
    expect(() => formatHl7Timestamp(new Date(Number.NaN), 'exact')).toThrow(Hl7Error);
    expect(() => hl7CreationTime(new Date(Number.NaN))).toThrow('creationTime is not a valid date');
  });
});
