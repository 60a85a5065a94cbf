// Byte- and structure-level mutations of an inbound HTTP message, as fast-check arbitraries.
// Each works on bytes as latin1 text (one char per byte), so any byte sequence survives intact.
import fc from 'fast-check';
import { parseContentType } from '../../src/ebxml/index.js';

export interface Wire {
  contentType: string | undefined;
  soapAction: string | undefined;
  body: Buffer;
}

/** Awkward strings for headers and XML text: CR/LF, quotes, brackets, NUL, non-ASCII. */
const awkwardText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\r\n',
    'ebXML\r\nX-Injected: yes',
    '"',
    '<',
    '&',
    '\u0000',
    'é',
    '\uFFFE',
    '--',
    'x'.repeat(5000),
  ),
);

const CONTENT_TYPES = [
  'text/xml',
  'application/xml',
  'text/plain',
  'multipart/related',
  'multipart/related; boundary=',
  'multipart/related; boundary=""',
  'multipart/related; boundary="--=_MIME-Boundary"',
  'multipart/mixed; boundary="--=_MIME-Boundary"',
  'multipart/related; boundary="--=_MIME-Boundary"; start="<nope>"',
  'multipart/related; boundary=-; start=<>',
  'multipart/related; start="<ebXMLHeader@spine.nhs.uk>"',
  ';;;=;"',
  'multipart/related; boundary="a"; boundary="b"',
];

/** XML that must be refused: DTDs, entities, unbalanced markup, deep nesting, bad characters. */
const HOSTILE_XML = [
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
  '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
  '<!ENTITY e SYSTEM "http://127.0.0.1:1/">',
  '&e;',
  '&amp;&lt;&#0;&#x1F;',
  '<![CDATA[',
  ']]>',
  '<?xml version="1.0"?>',
  '<!--',
  '\uFEFF',
  '</SOAP:Header>',
  '</eb:MessageHeader>',
  '<eb:MessageHeader>',
  'xmlns:eb="urn:other"',
  ' xmlns="" ',
  `${'<a>'.repeat(300)}${'</a>'.repeat(300)}`,
  '<a>'.repeat(3000),
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>',
];

const INVALID_UTF8 = [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]];

/** Element texts worth replacing, by the name as it appears in our builders and Spine's messages. */
const FIELDS = [
  'MessageId',
  'ConversationId',
  'CPAId',
  'Action',
  'Service',
  'PartyId',
  'Timestamp',
  'RefToMessageId',
  'TimeToLive',
];

export type Mutation = (wire: Wire) => Wire;

const at = (position: number, length: number) => (length === 0 ? 0 : position % (length + 1));
const latin1 = (body: Buffer) => body.toString('latin1');
const bytes = (text: string) => Buffer.from(text, 'latin1');

function boundaryOf(wire: Wire): string | undefined {
  try {
    return wire.contentType ? parseContentType(wire.contentType).params.get('boundary') : undefined;
  } catch {
    return undefined;
  }
}

/** Applies `change` to the MIME parts (between delimiter lines); no-op when the body is not MIME. */
function onParts(wire: Wire, change: (parts: string[]) => string[]): Wire {
  const boundary = boundaryOf(wire);
  if (!boundary) return wire;
  const delimiter = `--${boundary}`;
  const segments = latin1(wire.body).split(delimiter);
  if (segments.length < 3) return wire;
  const [preamble, ...rest] = segments;
  const closing = rest.pop() as string;
  return { ...wire, body: bytes([preamble, ...change(rest), closing].join(delimiter)) };
}

/** The ebXML blocks whose copies, moves and actors a signature-wrapping attack plays with. */
const BLOCKS = ['MessageHeader', 'Acknowledgment', 'ErrorList', 'AckRequested', 'SyncReply', 'Manifest'];
const ACTORS = [
  'urn:oasis:names:tc:ebxml-msg:actor:nextMSH',
  'http://schemas.xmlsoap.org/soap/actor/next',
  'urn:oasis:names:tc:ebxml-msg:actor:toPartyMSH',
  '',
];
/** Where a copied or moved block lands: Header start or end, Body start, inside the signature, inside another block. */
const PLACES = ['header-start', 'header-end', 'body-start', 'signature', 'nested'] as const;

interface Span {
  start: number;
  end: number;
  /** Index just before the start tag's `>` (or `/>`), where an attribute can go. */
  attrAt: number;
}

/** Every eb: block of the kinds above, as spans of the (latin1) text. */
function blocks(text: string): Span[] {
  const found: Span[] = [];
  const pattern = new RegExp(`<((?:[\\w-]+:)?)(${BLOCKS.join('|')})\\b[^>]*?(/?)>`, 'g');
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    const openEnd = start + match[0].length;
    const attrAt = openEnd - (match[3] ? 2 : 1);
    if (match[3]) {
      found.push({ start, end: openEnd, attrAt });
      continue;
    }
    const close = text.indexOf(`</${match[1]}${match[2]}>`, openEnd);
    if (close >= 0) found.push({ start, end: close + `</${match[1]}${match[2]}>`.length, attrAt });
  }
  return found;
}

const soapPrefix = (text: string) => /<([\w-]+):Envelope\b/.exec(text)?.[1] ?? 'SOAP';

/** Offset where `place` is in the text, or undefined when the message has no such place. */
function placeIn(text: string, place: (typeof PLACES)[number], other: Span | undefined): number | undefined {
  const after = (pattern: RegExp) => {
    const match = pattern.exec(text);
    return match ? (match.index ?? 0) + match[0].length : undefined;
  };
  switch (place) {
    case 'header-start':
      return after(/<(?:[\w-]+:)?Header\b[^>]*>/);
    case 'header-end': {
      const at = text.search(/<\/(?:[\w-]+:)?Header>/);
      return at < 0 ? undefined : at;
    }
    case 'body-start':
      return after(/<(?:[\w-]+:)?Body\b[^>]*>/);
    case 'signature':
      return after(/<(?:[\w-]+:)?Signature\b[^>]*>/);
    case 'nested':
      return other && text[other.attrAt] !== '/' ? other.attrAt + 1 : undefined;
  }
}

/** A forged copy names another message: fresh MessageId and RefToMessageId. */
const forge = (block: string, n: number) =>
  block.replace(
    /(<(?:[\w-]+:)?(?:MessageId|RefToMessageId)>)[^<]*(<)/g,
    `$1FORGED-${n.toString(16).toUpperCase()}$2`,
  );

/**
 * Signature-wrapping mutations: a block duplicated (forged or not), moved, or given a SOAP
 * actor; the envelope reference pointed at an element by id, and ids duplicated.
 */
export const wrappingMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .record({
      which: fc.nat(),
      other: fc.nat(),
      place: fc.constantFrom(...PLACES),
      forged: fc.boolean(),
      n: fc.nat(),
      actor: fc.option(fc.constantFrom(...ACTORS), { nil: undefined }),
    })
    .map(
      ({ which, other, place, forged, n, actor }): Mutation =>
        (wire) => {
          const text = latin1(wire.body);
          const found = blocks(text);
          if (found.length === 0) return wire;
          const span = found[which % found.length]!;
          const at = placeIn(text, place, found[other % found.length]);
          if (at === undefined) return wire;
          let copy = text.slice(span.start, span.end);
          // The copy may carry an actor that takes it out of what the signature covers.
          if (actor !== undefined) {
            const attrAt = span.attrAt - span.start;
            copy = `${copy.slice(0, attrAt)} ${soapPrefix(text)}:actor="${actor}"${copy.slice(attrAt)}`;
          }
          return {
            ...wire,
            body: bytes(text.slice(0, at) + (forged ? forge(copy, n) : copy) + text.slice(at)),
          };
        },
    ),
  fc.record({ which: fc.nat(), other: fc.nat(), place: fc.constantFrom(...PLACES) }).map(
    ({ which, other, place }): Mutation =>
      (wire) => {
        const text = latin1(wire.body);
        const found = blocks(text);
        if (found.length === 0) return wire;
        const span = found[which % found.length]!;
        const moved = text.slice(span.start, span.end);
        const rest = text.slice(0, span.start) + text.slice(span.end);
        const at = placeIn(rest, place, blocks(rest)[other % Math.max(1, found.length - 1)]);
        if (at === undefined) return wire;
        return { ...wire, body: bytes(rest.slice(0, at) + moved + rest.slice(at)) };
      },
  ),
  fc.record({ which: fc.nat(), actor: fc.constantFrom(...ACTORS) }).map(
    ({ which, actor }): Mutation =>
      (wire) => {
        const text = latin1(wire.body);
        const found = blocks(text);
        if (found.length === 0) return wire;
        const { attrAt } = found[which % found.length]!;
        const attr = ` ${soapPrefix(text)}:actor="${actor}"`;
        return { ...wire, body: bytes(text.slice(0, attrAt) + attr + text.slice(attrAt)) };
      },
  ),
  fc
    .record({
      targets: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
      id: fc.constantFrom('MessageHeader', 'dup', 'Body', '#', ''),
      attribute: fc.constantFrom('eb:id', 'wsu:Id', 'Id', 'ID'),
    })
    .map(
      ({ targets, id, attribute }): Mutation =>
        (wire) => {
          let text = latin1(wire.body).replace(/URI=""/, `URI="#${id}"`);
          // Every target gets the same id: one element, or two (duplicate ids).
          for (const which of targets) {
            const found = blocks(text);
            if (found.length === 0) break;
            const { attrAt } = found[which % found.length]!;
            const ns = attribute === 'wsu:Id' ? ' xmlns:wsu="urn:wsu"' : '';
            text = `${text.slice(0, attrAt)}${ns} ${attribute}="${id}"${text.slice(attrAt)}`;
          }
          return { ...wire, body: bytes(text) };
        },
    ),
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  wrappingMutation,
  fc.record({ position: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }).map(
    ({ position, value }): Mutation =>
      (wire) => {
        if (wire.body.length === 0) return wire;
        const body = Buffer.from(wire.body);
        body[position % body.length] = value;
        return { ...wire, body };
      },
  ),
  fc.record({ position: fc.nat(), insert: fc.uint8Array({ maxLength: 24 }) }).map(
    ({ position, insert }): Mutation =>
      (wire) => {
        const p = at(position, wire.body.length);
        return {
          ...wire,
          body: Buffer.concat([wire.body.subarray(0, p), insert, wire.body.subarray(p)]),
        };
      },
  ),
  fc.record({ position: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }).map(
    ({ position, length }): Mutation =>
      (wire) => {
        const p = at(position, wire.body.length);
        return { ...wire, body: Buffer.concat([wire.body.subarray(0, p), wire.body.subarray(p + length)]) };
      },
  ),
  fc.nat().map(
    (position): Mutation =>
      (wire) => ({ ...wire, body: wire.body.subarray(0, at(position, wire.body.length)) }),
  ),
  fc.record({ position: fc.nat(), snippet: fc.constantFrom(...HOSTILE_XML) }).map(
    ({ position, snippet }): Mutation =>
      (wire) => {
        // Insert just after a '>' so the snippet lands between tags, where a parser reads it.
        const text = latin1(wire.body);
        const gts = [...text.matchAll(/>/g)].map((m) => (m.index ?? 0) + 1);
        const p = gts.length ? gts[position % gts.length]! : 0;
        const insert = Buffer.from(snippet, 'utf8').toString('latin1');
        return { ...wire, body: bytes(text.slice(0, p) + insert + text.slice(p)) };
      },
  ),
  fc.record({ position: fc.nat(), sequence: fc.constantFrom(...INVALID_UTF8) }).map(
    ({ position, sequence }): Mutation =>
      (wire) => {
        const text = latin1(wire.body);
        const gts = [...text.matchAll(/>/g)].map((m) => (m.index ?? 0) + 1);
        const p = gts.length ? gts[position % gts.length]! : 0;
        return {
          ...wire,
          body: Buffer.concat([wire.body.subarray(0, p), Buffer.from(sequence), wire.body.subarray(p)]),
        };
      },
  ),
  fc.record({ field: fc.constantFrom(...FIELDS), value: awkwardText, which: fc.nat() }).map(
    ({ field, value, which }): Mutation =>
      (wire) => {
        const text = latin1(wire.body);
        const pattern = new RegExp(`(<(?:[\\w-]+:)?${field}\\b[^>]*>)([^<]*)(<)`, 'g');
        const matches = [...text.matchAll(pattern)];
        if (matches.length === 0) return wire;
        const match = matches[which % matches.length]!;
        const start = (match.index ?? 0) + match[1]!.length;
        const end = start + match[2]!.length;
        const encoded = Buffer.from(value, 'utf8').toString('latin1');
        return { ...wire, body: bytes(text.slice(0, start) + encoded + text.slice(end)) };
      },
  ),
  fc.nat().map(
    (index): Mutation =>
      (wire) =>
        onParts(wire, (parts) => {
          const i = index % parts.length;
          return [...parts.slice(0, i + 1), parts[i]!, ...parts.slice(i + 1)];
        }),
  ),
  fc.nat().map(
    (index): Mutation =>
      (wire) =>
        onParts(wire, (parts) => parts.filter((_, i) => i !== index % parts.length)),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([a, b]): Mutation =>
      (wire) =>
        onParts(wire, (parts) => {
          const out = [...parts];
          const i = a % out.length;
          const j = b % out.length;
          [out[i], out[j]] = [out[j]!, out[i]!];
          return out;
        }),
  ),
  fc.integer({ min: 2, max: 160 }).map(
    (copies): Mutation =>
      (wire) =>
        onParts(wire, (parts) => Array.from({ length: copies }, (_, i) => parts[i % parts.length]!)),
  ),
  fc.constantFrom('base64', 'quoted-printable', 'x-unknown', '7bit', 'BASE64', '').map(
    (encoding): Mutation =>
      (wire) => ({
        ...wire,
        body: bytes(
          latin1(wire.body).replace(
            /Content-Transfer-Encoding:[^\r\n]*/i,
            `Content-Transfer-Encoding: ${encoding}`,
          ),
        ),
      }),
  ),
  fc.oneof(fc.constantFrom(...CONTENT_TYPES), awkwardText, fc.constant(undefined)).map(
    (contentType): Mutation =>
      (wire) => ({ ...wire, contentType }),
  ),
  fc.oneof(awkwardText, fc.string({ minLength: 1, maxLength: 70 })).map(
    (boundary): Mutation =>
      (wire) => ({
        ...wire,
        contentType: (wire.contentType ?? 'multipart/related').replace(
          /boundary=("[^"]*"|[^;]*)/i,
          `boundary="${boundary.replace(/"/g, '')}"`,
        ),
      }),
  ),
  fc.oneof(awkwardText, fc.constant(undefined), fc.constant('"ebXML"')).map(
    (soapAction): Mutation =>
      (wire) => ({ ...wire, soapAction }),
  ),
  fc.constant<Mutation>((wire) => ({ ...wire, contentType: wire.soapAction, soapAction: wire.contentType })),
);

export function applyAll(wire: Wire, mutations: Mutation[]): Wire {
  return mutations.reduce((current, mutate) => mutate(current), wire);
}
