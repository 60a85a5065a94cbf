// xsd:dateTime as ebXML uses it. Spine has sent timestamps without a zone (read as UTC) and
// with fractional seconds, so reading is lenient; writing is always `YYYY-MM-DDThh:mm:ssZ`.

const DATE_TIME =
  /^\s*(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?\s*$/;

/** Parses an xsd:dateTime; no zone means UTC. Undefined when the value is not a real instant. */
export function parseTimestamp(value: string): Date | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(utc);
  // Date.UTC rolls 31 April over to 1 May; a rolled date was not a real one.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined;
  }
  return new Date(utc - zoneOffsetMillis(m[8]));
}

function zoneOffsetMillis(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return sign * (hours * 60 + minutes) * 60_000;
}

/** `YYYY-MM-DDThh:mm:ssZ` in UTC, whole seconds (Spine's form). */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
