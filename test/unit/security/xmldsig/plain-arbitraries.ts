// fast-check generators for the signer's fast path: messages as src/ebxml builds them, with
// header values that need escaping, and hand-written envelopes anywhere in the plain subset
// (namespaces declared, redeclared and undeclared at any depth, references, CR/LF, quotes).
import fc from 'fast-check';
import {
  ACTOR_NEXT_MSH,
  ACTOR_SOAP_NEXT,
  ACTOR_TO_PARTY_MSH,
  type Attachment,
  type ExternalAttachment,
  formatTimestamp,
  type MessageHeader,
  type OutboundMessage,
  type ReliabilityFlags,
} from '../../../../src/ebxml/index.js';

const XML_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const markup = fc.constantFrom(
  '<',
  '>',
  '&',
  '"',
  "'",
  '&amp;',
  ']]>',
  '\r\n',
  '\r',
  '\t',
  '\n',
  'é',
  '東',
  '🏥',
);

/** Any XML text, biased towards what needs escaping or normalising. */
export const textValue = fc
  .array(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), markup), {
    minLength: 1,
    maxLength: 6,
  })
  .map((pieces) => pieces.join(''))
  .filter((s) => XML_CHARS.test(s));

/** Printable ASCII for ids that also become Content-IDs (`{messageId}@spine.nhs.uk`). */
const idValue = fc.string({
  unit: fc.constantFrom(...'ABCDEF0123456789-&\'"%!$*+=?^_`{|}~.@#/:;,'.split('')),
  minLength: 1,
  maxLength: 20,
});

const timestamp = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map(formatTimestamp);

const party = fc.oneof(
  fc.record({
    id: textValue,
    type: fc.oneof(fc.constant('urn:nhs:names:partyType:ocs+serviceInstance'), textValue),
  }),
  textValue.map((id) => ({ id: `urn:x:${id}` })),
);

export const header: fc.Arbitrary<MessageHeader> = fc.record({
  from: party,
  to: party,
  cpaId: textValue,
  conversationId: textValue,
  service: textValue,
  action: textValue,
  messageId: idValue,
  timestamp: fc.oneof(timestamp, textValue),
  refToMessageId: fc.option(textValue, { nil: undefined }),
  timeToLive: fc.option(timestamp, { nil: undefined }),
});

const actor = fc.oneof(fc.constantFrom(ACTOR_NEXT_MSH, ACTOR_TO_PARTY_MSH, ACTOR_SOAP_NEXT), textValue);

export const reliability: fc.Arbitrary<ReliabilityFlags> = fc.record({
  duplicateElimination: fc.boolean(),
  ackRequested: fc.option(fc.record({ actor: fc.option(actor, { nil: undefined }), signed: fc.boolean() }), {
    nil: undefined,
  }),
  syncReply: fc.boolean(),
});

const documentId = fc.option(fc.constantFrom('doc1', 'Référence_2', 'x.y-z'), { nil: undefined });

const attachments: fc.Arbitrary<Attachment[]> = fc
  .array(
    fc.record({
      content: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      transferEncoding: fc.constantFrom('base64' as const, '8bit' as const),
      description: textValue,
      contentType: fc.constantFrom('application/pdf', 'text/plain; charset=UTF-8'),
      documentId,
    }),
    { maxLength: 3 },
  )
  .chain((list) =>
    fc
      .uniqueArray(idValue, { minLength: list.length, maxLength: list.length })
      .map((ids) => list.map((a, i) => ({ ...a, contentId: `${ids[i]}@att.example` }))),
  );

const externalAttachments: fc.Arbitrary<ExternalAttachment[]> = fc.array(
  fc.record({ messageId: idValue, description: textValue, documentId }),
  { maxLength: 2 },
);

export const outboundMessage: fc.Arbitrary<OutboundMessage> = fc.record({
  header,
  reliability,
  payloadXml: textValue.map((text) => `<p xmlns="urn:hl7-org:v3">${text.replace(/[&<]/g, '')}</p>`),
  attachments,
  externalAttachments,
});

// ---- Hand-written envelopes in the plain subset ----

const URIS = ['urn:example:a', 'http://example.org/b#', 'urn:x', "https://example.com/p/q?r=1;s='x'"];
const space = fc.constantFrom(' ', ' ', '\n    ', '\t', '\r\n ', '  ');
const around = fc.constantFrom('', '', ' ', '\n');
const rawText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => s.replace(/[<&]/g, '')),
      fc.constantFrom('&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#13;', '&#10;', '&#9;', '&#x20AC;'),
      fc.constantFrom('&#128512;', '>', '"', "'", '\r\n', '\r', '\n', '\t', ' ', 'é', '🏥', ']]'),
    ),
    { maxLength: 6 },
  )
  .map((pieces) => pieces.join('').replace(/]]>/g, ']] >'))
  .filter((s) => XML_CHARS.test(s));
const attrValue = (quote: string) =>
  rawText.map((s) => s.replaceAll(quote, quote === '"' ? '&quot;' : '&apos;'));
const actorValue = fc.constantFrom(ACTOR_NEXT_MSH, ACTOR_SOAP_NEXT, ACTOR_TO_PARTY_MSH, ` ${ACTOR_NEXT_MSH}`);

const attribute = (name: string) =>
  fc
    .tuple(space, around, fc.constantFrom('"', "'"))
    .chain(([s, a, q]) =>
      (name === 'SOAP:actor' ? actorValue : attrValue(q)).map((v) => `${s}${name}${a}=${a}${q}${v}${q}`),
    );

/** Attributes with distinct local names, so no two can clash even where prefixes share a URI. */
const attributes = fc
  .uniqueArray(fc.constantFrom('k', 'm', 'lang', 'z', 'actor', 'mustUnderstand'), { maxLength: 4 })
  .chain((names) =>
    fc.tuple(
      ...names.map((local) =>
        fc
          .constantFrom(...(local === 'lang' ? ['', 'xml:', 'a:'] : ['', 'a:', 'b:', 'SOAP:']))
          .chain((prefix) => attribute(`${prefix}${local}`)),
      ),
    ),
  )
  .map((list) => list.join(''));

const declaration = fc.oneof(
  fc.tuple(fc.constantFrom('a', 'b', 'eb'), fc.constantFrom(...URIS)).map(([p, u]) => ` xmlns:${p}="${u}"`),
  fc.constantFrom(...URIS, '').map((u) => ` xmlns="${u}"`),
);
const declarations = fc.uniqueArray(declaration, { maxLength: 2, selector: (d) => d.split('=')[0] });

const elementName = fc.tuple(
  fc.constantFrom('', 'a:', 'b:', 'eb:'),
  fc.constantFrom('x', 'Y', 'z-1', 'w.2', '_v'),
);

const element: fc.Memo<string> = fc.memo((n) =>
  fc
    .tuple(
      elementName,
      declarations,
      attributes,
      around,
      n <= 1 ? fc.constant([]) : fc.array(content(n - 1), { maxLength: 3 }),
    )
    .map(([[prefix, local], decls, attrs, end, children]) => {
      const name = `${prefix}${local}`;
      if (children.length === 0 && end === '') return `<${name}${decls.join('')}${attrs}/>`;
      return `<${name}${decls.join('')}${attrs}>${children.join('')}</${name}${end}>`;
    }),
);
const content = (n: number) => fc.oneof(rawText, element(n));

/** A SOAP envelope in the plain subset: prefixes a, b and eb bound at the root, any tree below. */
export const plainEnvelope: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.tuple(fc.constantFrom(...URIS), fc.constantFrom(...URIS), fc.constantFrom(...URIS, '')),
    fc.array(content(3), { maxLength: 4 }),
    fc.array(content(3), { maxLength: 3 }),
    fc.constantFrom('SOAP', 'soap', 'SOAP-ENV'),
    // On the Header: in scope on SignedInfo too (a ds of its own is shadowed by the signature's).
    fc.constantFrom(
      '',
      ' xmlns:ds="urn:not-dsig"',
      ' xmlns="urn:x"',
      ' xmlns=""',
      ' xmlns:c="urn:c" xmlns:a="urn:x"',
    ),
  )
  .map(([declared, [a, b, dflt], headerContent, bodyContent, soap, headerNs]) => {
    const prolog = declared ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '';
    const defaultNs = dflt === '' ? '' : ` xmlns="${dflt}"`;
    const body = bodyContent.join('').replaceAll('SOAP:', `${soap}:`);
    const inHeader = headerContent.join('').replaceAll('SOAP:', `${soap}:`);
    return (
      `${prolog}<${soap}:Envelope xmlns:b="${b}" xmlns:${soap}="http://schemas.xmlsoap.org/soap/envelope/"` +
      ` xmlns:a="${a}"${defaultNs} xmlns:eb="urn:eb">\n <${soap}:Header${headerNs}>${inHeader}</${soap}:Header>` +
      `<${soap}:Body>${body}</${soap}:Body></${soap}:Envelope>\n`
    ).replace(/]]>/g, ']] >'); // adjacent texts could make one
  });
