// HL7 TS values <-> ISO 8601. Assumption: a TS without a zone offset is UTC. The MIM's examples
// carry no offset and e-RS's use of local time is not publicly documented; a TS that does carry
// one (+HHMM / -HHMM) is honoured.
import { formatHl7Timestamp } from '../hl7/index.js';
import { CabError } from './errors.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const TS = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(\.\d{1,4})?)?)?([+-]\d{4})?$/;

/**
 * YYYYMMDDHHMM in UTC, with seconds (and milliseconds after a dot) only when they are not zero,
 * so no precision is lost.
 */
export function hl7Timestamp(iso: string | Date): string {
  const time = typeof iso === 'string' ? parseIso(iso) : iso;
  if (Number.isNaN(time.getTime())) throw new CabError('timestamp is not a valid date');
  return formatHl7Timestamp(time, 'exact');
}

/** ISO 8601 in UTC (`2013-05-15T00:00:00Z`, milliseconds only when present) from an HL7 TS. */
export function isoFromHl7Timestamp(ts: string): string {
  const match = TS.exec(ts.trim());
  if (!match) throw new CabError(`"${ts}" is not an HL7 timestamp (YYYYMMDD[HHMM[SS[.S]]][+ZZZZ])`);
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', offset] = match;
  const millis = fractionMillis(fraction);
  const utc = checkedUtc(ts, +year!, +month!, +day!, +hour, +minute, +second, millis);
  const shifted = offset ? utc - offsetMinutes(offset) * 60_000 : utc;
  const out = new Date(shifted).toISOString();
  return out.endsWith('.000Z') ? `${out.slice(0, 19)}Z` : out;
}

function parseIso(iso: string): Date {
  const match = ISO.exec(iso);
  if (!match) throw new CabError(`"${iso}" is not an ISO 8601 date-time with a zone (Z or ±HH:MM)`);
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone] = match;
  const millis = fractionMillis(fraction);
  const utc = checkedUtc(iso, +year!, +month!, +day!, +hour!, +minute!, +second, millis);
  const offset = zone === 'Z' ? 0 : offsetMinutes(zone!.replace(':', ''));
  return new Date(utc - offset * 60_000);
}

/** Date.UTC silently rolls 30 February into March; refuse fields out of range instead. */
function checkedUtc(
  input: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
): number {
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const back = new Date(utc);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    back.getUTCHours() !== hour ||
    back.getUTCMinutes() !== minute ||
    back.getUTCSeconds() !== second
  ) {
    throw new CabError(`"${input}" is not a valid date and time`);
  }
  return utc;
}

/** '.1234' -> 123: whole milliseconds, truncated (finer precision is dropped). */
function fractionMillis(fraction: string): number {
  return Number(`${fraction.slice(1)}000`.slice(0, 3));
}

/** `+HHMM` / `-HHMM` as minutes east of UTC. */
function offsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const hours = Number(offset.slice(1, 3));
  const minutes = Number(offset.slice(3, 5));
  if (hours > 23 || minutes > 59) throw new CabError(`"${offset}" is not a valid zone offset`);
  return sign * (hours * 60 + minutes);
}
