// One table-driven test over test/fixtures/inbound/expected.json: every variant Spine or the NHS
// adaptor sends must parse to the listed fields, every malformed body must fail with the listed code.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  EbxmlFault,
  type MessageHeader,
  type ParsedMessage,
  parseMessage,
} from '../../../src/ebxml/index.js';

const DIR = fileURLToPath(new URL('../../fixtures/inbound/', import.meta.url));

interface ExpectedPart {
  contentId: string;
  contentType: string;
  transferEncoding: string;
  text?: string;
  base64?: string;
}

interface Expected {
  note?: string;
  contentType?: string | null;
  soapAction?: string;
  kind?: ParsedMessage['kind'];
  header?: Partial<MessageHeader>;
  reliability?: ParsedMessage['reliability'];
  manifest?: ParsedMessage['manifest'];
  parts?: ExpectedPart[];
  warnings?: string[];
  signaturePresent?: boolean;
  acknowledgment?: ParsedMessage['acknowledgment'];
  errors?: ParsedMessage['errors'];
  fault?: { errorCode: string; description?: string; headerParsed: boolean; location?: string };
}

const index = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as {
  defaults: Required<
    Pick<Expected, 'header' | 'reliability' | 'manifest' | 'parts' | 'warnings' | 'signaturePresent'>
  > & {
    contentType: string;
  };
  fixtures: Record<string, Expected>;
};

/** Start line and headers up to the first blank line (CRLF or LF); the rest is the body. */
function splitHttp(raw: Buffer): { contentType?: string; soapAction?: string; body: Buffer } {
  const text = raw.toString('latin1');
  const blank = /\r?\n\r?\n/.exec(text);
  if (!blank) throw new Error('HTTP fixture has no blank line after its headers');
  const lines = text.slice(0, blank.index).split(/\r?\n/).slice(1);
  const header = (name: string) =>
    lines
      .find((line) => line.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  return {
    contentType: header('content-type'),
    soapAction: header('soapaction'),
    body: raw.subarray(blank.index + blank[0].length),
  };
}

describe('inbound fixtures', () => {
  it('lists every fixture file in expected.json, and nothing else', () => {
    const files = readdirSync(DIR).filter((name) => !name.startsWith('.') && name !== 'expected.json');
    expect(files.sort()).toEqual(Object.keys(index.fixtures).sort());
  });

  it.each(Object.entries(index.fixtures))('%s', (file, expected) => {
    const raw = readFileSync(`${DIR}${file}`);
    // A .http fixture is a whole HTTP capture: Content-Type and SOAPAction come from its headers.
    const http = file.endsWith('.http') ? splitHttp(raw) : undefined;
    const body = http?.body ?? raw;
    const contentType = http
      ? http.contentType
      : expected.contentType === null
        ? undefined
        : (expected.contentType ?? index.defaults.contentType);
    const parse = () => parseMessage(contentType, body, http ? http.soapAction : expected.soapAction);

    if (expected.fault) {
      let thrown: unknown;
      try {
        parse();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, 'expected an EbxmlFault').toBeInstanceOf(EbxmlFault);
      const fault = thrown as EbxmlFault;
      expect(fault.error.errorCode).toBe(expected.fault.errorCode);
      expect(fault.error.severity).toBe('Error');
      expect(fault.headerParsed).toBe(expected.fault.headerParsed);
      if (expected.fault.location !== undefined) expect(fault.error.location).toBe(expected.fault.location);
      if (expected.fault.description !== undefined)
        expect(fault.error.description).toContain(expected.fault.description);
      if (fault.headerParsed) expect(fault.header?.messageId).toBe(index.defaults.header.messageId);
      return;
    }

    const parsed = parse();
    const defaults = index.defaults;
    expect(parsed.kind).toBe(expected.kind);
    expect(parsed.header).toEqual({ ...defaults.header, ...expected.header });
    expect(parsed.reliability).toEqual(expected.reliability ?? defaults.reliability);
    expect(parsed.manifest).toEqual(expected.manifest ?? defaults.manifest);
    expect(parsed.warnings).toEqual(expected.warnings ?? defaults.warnings);
    expect(parsed.signaturePresent).toBe(expected.signaturePresent ?? defaults.signaturePresent);
    expect(parsed.soapAction).toBe(expected.soapAction);
    expect(parsed.envelopeXml).toMatch(/Envelope/);

    const parts = expected.parts ?? defaults.parts;
    expect(
      parsed.parts.map(({ contentId, contentType, transferEncoding }) => ({
        contentId,
        contentType,
        transferEncoding,
      })),
    ).toEqual(
      parts.map(({ contentId, contentType, transferEncoding }) => ({
        contentId,
        contentType,
        transferEncoding,
      })),
    );
    parts.forEach((part, i) => {
      const content = parsed.parts[i]!.content;
      if (part.text !== undefined) expect(content.toString('utf8')).toBe(part.text);
      if (part.base64 !== undefined) expect(content.toString('base64')).toBe(part.base64);
    });
    expect(parsed.payload?.contentId).toBe(parts[0]?.contentId);

    if (expected.acknowledgment) expect(parsed.acknowledgment).toEqual(expected.acknowledgment);
    else expect(parsed.acknowledgment).toBeUndefined();
    if (expected.errors) expect(parsed.errors).toEqual(expected.errors);
    else expect(parsed.errors).toBeUndefined();
  });
});
