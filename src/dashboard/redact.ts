// Patient data on the dashboard: hidden unless the operator may see it (dashboard.showPatientData).
// These work on text, not a parsed tree, so a truncated or malformed document is still redacted:
// anything between tags is hidden, whatever it is (fail closed).

export const REDACTED = '[redacted]';

/** The NHS number's OID (HL7 V3 `id/@root`). */
const NHS_NUMBER_ROOT = '2.16.840.1.113883.2.1.4.1';
/** Elements whose `value` attribute is personal (date of birth, phone, e-mail). */
const PERSONAL_VALUE_ELEMENTS = new Set(['birthTime', 'deceasedTime', 'telecom']);

const TOKEN =
  /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|<\?[\s\S]*?(?:\?>|$)|<[^<>]*>|<[^<>]*$|[^<]+|</g;
const ATTRIBUTE = /([^\s=/<>"']+)(\s*=\s*)(?:"([^"]*)"|'([^']*)')/g;

/**
 * HL7 V3 with the patient data taken out: every text node becomes `[redacted]`, the `value` of
 * birthTime/deceasedTime/telecom too, and NHS numbers are masked; element names, ids, codes and
 * structure stay, so an operator can still see which message it is and what it is about.
 */
export function redactHl7(xml: string): string {
  const out = xml.replace(TOKEN, (token) => {
    if (token.startsWith('<![CDATA[')) return `<![CDATA[${REDACTED}]]>`;
    if (token.startsWith('<!--')) return `<!--${REDACTED}-->`;
    if (token.startsWith('<?')) return token;
    if (token.startsWith('<')) return token.endsWith('>') ? redactTag(token) : '<…';
    return /\S/.test(token) ? token.replace(/\S[\s\S]*\S|\S/, REDACTED) : token;
  });
  return maskNhsNumbers(out);
}

function redactTag(tag: string): string {
  const name = /^<\/?([^\s/>]+)/.exec(tag)?.[1] ?? '';
  const local = name.slice(name.indexOf(':') + 1);
  const isNhsNumber = /\sroot\s*=\s*["']2\.16\.840\.1\.113883\.2\.1\.4\.1["']/.test(tag);
  return tag.replace(
    ATTRIBUTE,
    (whole, attribute: string, equals: string, double?: string, single?: string) => {
      const value = double ?? single ?? '';
      const attrLocal = attribute.slice(attribute.indexOf(':') + 1);
      const quote = double !== undefined ? '"' : "'";
      if (attrLocal === 'value' && PERSONAL_VALUE_ELEMENTS.has(local))
        return `${attribute}${equals}${quote}${REDACTED}${quote}`;
      if (attrLocal === 'extension' && isNhsNumber && value !== NHS_NUMBER_ROOT)
        return `${attribute}${equals}${quote}${maskDigits(value)}${quote}`;
      return whole;
    },
  );
}

/** Keeps the last three digits: enough to tell two patients apart on a screen, not to identify one. */
function maskDigits(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 4) return '*'.repeat(value.length);
  return `${'*'.repeat(digits.length - 3)}${digits.slice(-3)}`;
}

/** A 10-digit number with a valid NHS number check digit (modulus 11). */
export function isNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** Masks anything that is a valid NHS number (`9434765919`, `943 476 5919`, `943-476-5919`). */
export function maskNhsNumbers(text: string): string {
  return text.replace(/(?<!\d)\d{3}([ -]?)\d{3}\1\d{4}(?!\d)/g, (found) =>
    isNhsNumber(found.replace(/\D/g, '')) ? maskDigits(found) : found,
  );
}

/**
 * An HTTP body (MIME multipart, SOAP, or bare XML) for display: the SOAP/ebXML header stays (ids,
 * parties, action), the SOAP Body and every HL7 part are redacted, other parts are replaced by
 * their size.
 */
export function redactHttpBody(body: string, contentType = ''): string {
  const boundary =
    /boundary\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1] ?? /^--([^\r\n]+)\r?\n/.exec(body)?.[1];
  if (!boundary || !body.includes(`--${boundary}`)) return redactXmlPart(body);
  return body
    .split(`--${boundary}`)
    .map((part, index) => {
      if (index === 0 || part.startsWith('--')) return part; // preamble, epilogue
      const split = /\r?\n\r?\n/.exec(part);
      if (!split) return part;
      const headers = part.slice(0, split.index + split[0].length);
      const content = part.slice(split.index + split[0].length);
      return headers + redactXmlPart(content);
    })
    .join(`--${boundary}`);
}

function redactXmlPart(content: string): string {
  const trimmed = content.trimStart();
  if (!trimmed.startsWith('<')) {
    const size = content.trim().length;
    return size === 0 ? content : `${REDACTED} (${size} characters)\r\n`;
  }
  const body = /<([\w.-]+:)?Body\b[^>]*>/.exec(content);
  const isSoap = /<([\w.-]+:)?Envelope\b/.test(content);
  if (isSoap && body) {
    const start = body.index + body[0].length;
    return maskNhsNumbers(content.slice(0, start)) + redactHl7(content.slice(start));
  }
  if (isSoap) return maskNhsNumbers(content);
  return redactHl7(content);
}

/**
 * Keys whose values are message identifiers, codes or Spine's own words, never patient data (the
 * page's banner promises ids stay visible). Free text under them still has NHS numbers masked.
 */
const VISIBLE_KEYS = new Set([
  'messageId',
  'conversationId',
  'correlationId',
  'inResponseTo',
  'pollRequestId',
  'signalId',
  'contentId',
  'interactionId',
  'refToMessageId',
  'replyMessageId',
  'requestId',
  'responseId',
  'clinicId',
  'status',
  'kind',
  'outcome',
  'acknowledgement',
  'typeCode',
  'code',
  'codeSystem',
  'displayName',
  'qualifier',
  'summary',
  'errorType',
  'errorCode',
  'severity',
  'description',
  'detail',
  'endpoint',
]);

/** JSON with every value hidden but ids, codes and descriptions; `hl7` strings are redacted as HL7. */
export function redactJson(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => redactJson(item, key));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactJson(v, k)]));
  if (typeof value === 'string') {
    if (key === 'hl7') return redactHl7(value);
    return key !== undefined && VISIBLE_KEYS.has(key) ? maskNhsNumbers(value) : REDACTED;
  }
  if (typeof value === 'number') return key !== undefined && VISIBLE_KEYS.has(key) ? value : REDACTED;
  return value;
}
