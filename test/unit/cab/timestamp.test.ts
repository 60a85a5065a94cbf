import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CabError, hl7Timestamp, isoFromHl7Timestamp } from '../../../src/cab/index.js';

describe('hl7Timestamp', () => {
  it.each([
    ['2013-05-15T00:00:00Z', '201305150000'],
    ['2013-05-15T10:30Z', '201305151030'],
    ['2013-05-15T10:30:45Z', '20130515103045'],
    ['2013-05-15T10:30:45.120Z', '20130515103045.120'],
    ['2013-05-15T01:00:00+01:00', '201305150000'],
    ['2013-05-14T23:00:00-01:00', '201305150000'],
  ])('%s -> %s', (iso, ts) => {
    expect(hl7Timestamp(iso)).toBe(ts);
  });

  it('takes a Date', () => {
    expect(hl7Timestamp(new Date(Date.UTC(2026, 11, 31, 23, 59, 1)))).toBe('20261231235901');
  });

  it.each(['2013-05-15T00:00:00', '2013-02-30T00:00:00Z', '15/05/2013', '2013-05-15T24:00:00Z'])(
    'refuses %s',
    (iso) => {
      expect(() => hl7Timestamp(iso)).toThrow(CabError);
    },
  );
});

describe('isoFromHl7Timestamp', () => {
  it.each([
    ['201305150000', '2013-05-15T00:00:00Z'],
    ['20130515103045', '2013-05-15T10:30:45Z'],
    ['20130515', '2013-05-15T00:00:00Z'],
    ['20130515103045.1234', '2013-05-15T10:30:45.123Z'],
    ['201305150100+0100', '2013-05-15T00:00:00Z'],
  ])('%s -> %s (UTC unless an offset is given)', (ts, iso) => {
    expect(isoFromHl7Timestamp(ts)).toBe(iso);
  });

  it.each(['2013051', '201302300000', '2013051512', 'abcd05150000', '201305152500', '201305150000+2400'])(
    'refuses %s',
    (ts) => {
      expect(() => isoFromHl7Timestamp(ts)).toThrow(CabError);
    },
  );

  it('inverts hl7Timestamp for any instant', () => {
    const instant = fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2199-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instant, (date) => {
        expect(Date.parse(isoFromHl7Timestamp(hl7Timestamp(date)))).toBe(date.getTime());
      }),
    );
  });
});
