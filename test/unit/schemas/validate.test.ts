import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMime } from '../../../src/ebxml/index.js';
import {
  SCHEMA_DIR,
  schemaFor,
  validateDocument,
  validateEnvelope,
  validateHl7,
} from '../../../src/schemas/index.js';
import { corpus, loadFixture } from './corpus.js';

const GOLDEN_DIR = new URL('../../../mim-samples/ebxml/', import.meta.url);
const EB = 'http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd';

/** The root (envelope) part of a corpus fixture. */
function rootOf(file: string): Buffer {
  const { body, contentType } = loadFixture(file);
  return parseMime(contentType, body).root.content;
}

const plain = readFileSync(rootFile('plain-envelope.xml'), 'utf8');
const messageError = readFileSync(rootFile('message-error-501319.xml'), 'utf8');

function rootFile(name: string): URL {
  return new URL(`../../fixtures/inbound/${name}`, import.meta.url);
}

function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`test setup: ${from} not found`);
  return changed;
}

function messages(xml: string | Buffer): string[] {
  return validateEnvelope(xml).errors.map((e) => e.message);
}

describe('validateEnvelope: what we and Spine send is valid', () => {
  const valid = Object.entries(corpus.fixtures).filter(([, expected]) => !expected.fault);

  it.each(valid.map(([file]) => file))('inbound corpus %s', (file) => {
    const result = validateEnvelope(rootOf(file));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  const goldens = readdirSync(GOLDEN_DIR).filter((name) => /\.(xml|mime)$/.test(name));
  it.each(goldens)('golden mim-samples/ebxml/%s', (name) => {
    const bytes = readFileSync(new URL(name, GOLDEN_DIR));
    const root = name.endsWith('.mime') ? parseMime(undefined, bytes).root.content : bytes;
    expect(validateEnvelope(root).errors).toEqual([]);
  });

  it('accepts what Spine may add: other-namespace blocks, attributes and trailing elements', () => {
    const extended = plain
      .replace('<soap:Envelope ', '<soap:Envelope xmlns:x="urn:example:ext" ')
      .replace('<soap:Header>', '<soap:Header x:trace="1">')
      .replace(
        '</eb:MessageData>',
        '</eb:MessageData><eb:Description xml:lang="en">poll</eb:Description><x:Hop/>',
      )
      .replace(
        '</soap:Header>',
        '<x:Routing soap:mustUnderstand="0"><x:Via>spine</x:Via></x:Routing></soap:Header>',
      )
      .replace('<soap:Body/>', '<soap:Body><x:Anything/></soap:Body>');
    expect(messages(extended)).toEqual([]);
  });

  it('accepts timestamps without a zone and with fractional seconds, and xml:lang="en-GB"', () => {
    const xml = replaceOnce(plain, '2026-01-05T09:59:58Z', '2026-01-05T09:59:58.125');
    expect(messages(xml)).toEqual([]);
  });
});

describe('validateEnvelope: what is wrong is named', () => {
  const cases: [string, string, RegExp][] = [
    [
      'wrong child order (ConversationId before CPAId)',
      plain.replace(
        /(<eb:CPAId>[^<]*<\/eb:CPAId>)\s*(<eb:ConversationId>[^<]*<\/eb:ConversationId>)/,
        '$2$1',
      ),
      /Element 'eb:ConversationId': This element is not expected\. Expected is \( eb:CPAId \)/,
    ],
    [
      'missing CPAId',
      replaceOnce(plain, /<eb:CPAId>[^<]*<\/eb:CPAId>/, ''),
      /Element 'eb:ConversationId': This element is not expected\. Expected is \( eb:CPAId \)/,
    ],
    [
      'empty CPAId',
      replaceOnce(plain, /<eb:CPAId>[^<]*<\/eb:CPAId>/, '<eb:CPAId></eb:CPAId>'),
      /Element 'eb:CPAId'.*minLength/,
    ],
    [
      'missing eb:version',
      replaceOnce(plain, ' eb:version="2.0"', ''),
      /Element 'eb:MessageHeader': The attribute 'eb:version' is required but missing/,
    ],
    [
      'eb:version 1.0',
      replaceOnce(plain, 'eb:version="2.0"', 'eb:version="1.0"'),
      /Element 'eb:MessageHeader', attribute 'eb:version'.*fixed value constraint '2\.0'/,
    ],
    [
      'unqualified version attribute',
      replaceOnce(plain, 'eb:version="2.0"', 'version="2.0"'),
      /Element 'eb:MessageHeader'/,
    ],
    [
      'Description without xml:lang',
      replaceOnce(messageError, / xml:lang="[^"]*"/, ''),
      /Element 'eb:Description': The attribute 'xml:lang' is required but missing/,
    ],
    [
      'ErrorList without highestSeverity',
      replaceOnce(messageError, ' eb:highestSeverity="Error"', ''),
      /Element 'eb:ErrorList': The attribute 'eb:highestSeverity' is required but missing/,
    ],
    [
      'eb:Error without errorCode',
      replaceOnce(messageError, / eb:errorCode="[^"]*"/, ''),
      /Element 'eb:Error': The attribute 'eb:errorCode' is required but missing/,
    ],
    [
      'severity outside Error|Warning',
      replaceOnce(messageError, 'eb:severity="Error"', 'eb:severity="Fatal"'),
      /Element 'eb:Error', attribute 'eb:severity'/,
    ],
    [
      'Timestamp that is not an xsd:dateTime',
      replaceOnce(plain, '2026-01-05T09:59:58Z', '05/01/2026 09:59'),
      /Element 'eb:Timestamp'.*xs:dateTime/,
    ],
    [
      'MessageData without MessageId',
      replaceOnce(plain, /<eb:MessageId>[^<]*<\/eb:MessageId>/, ''),
      /Element 'eb:Timestamp': This element is not expected\. Expected is \( eb:MessageId \)/,
    ],
    [
      'AckRequested without eb:signed',
      replaceOnce(
        plain,
        '</eb:MessageHeader>',
        '</eb:MessageHeader><eb:AckRequested soap:mustUnderstand="1" eb:version="2.0"/>',
      ),
      /Element 'eb:AckRequested': The attribute 'eb:signed' is required but missing/,
    ],
    [
      'SyncReply without SOAP actor',
      replaceOnce(plain, '</eb:MessageHeader>', '</eb:MessageHeader><eb:SyncReply eb:version="2.0"/>'),
      /Element 'eb:SyncReply': The attribute 'soap:actor' is required but missing/,
    ],
    [
      'Manifest Reference without xlink:href',
      replaceOnce(
        plain,
        '<soap:Body/>',
        '<soap:Body><eb:Manifest eb:version="2.0"><eb:Reference/></eb:Manifest></soap:Body>',
      ),
      /Element 'eb:Reference': The attribute 'xlink:href' is required but missing/,
    ],
    [
      'Body before Header',
      replaceOnce(plain, /(<soap:Header>[\s\S]*<\/soap:Header>)\s*(<soap:Body\/>)/, '$2$1'),
      /Element 'soap:Header': This element is not expected/,
    ],
    [
      'an ebXML element in the SOAP Body that belongs in the Header, with a missing child',
      replaceOnce(
        plain,
        '<soap:Body/>',
        `<soap:Body><eb:Acknowledgment eb:version="2.0"><eb:Timestamp>2026-01-05T10:00:00Z</eb:Timestamp></eb:Acknowledgment></soap:Body>`,
      ),
      /Element 'eb:Acknowledgment': Missing child element\(s\)\. Expected is \( eb:RefToMessageId \)/,
    ],
    [
      'ds:Signature without SignatureValue',
      readFileSync(rootFile('signature-present.xml'), 'utf8').replace(
        /<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/,
        '',
      ),
      /Element 'ds:Signature': Missing child element\(s\)\. Expected is \( ds:SignatureValue \)/,
    ],
    [
      'ds:DigestValue that is not base64',
      readFileSync(rootFile('signature-present.xml'), 'utf8').replace(
        '<ds:DigestValue>AAAA</ds:DigestValue>',
        '<ds:DigestValue>not base64!</ds:DigestValue>',
      ),
      /Element 'ds:DigestValue'.*xs:base64Binary/,
    ],
  ];

  it.each(cases)('%s', (_name, xml, expected) => {
    const result = validateEnvelope(xml);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.message)).toContainEqual(expect.stringMatching(expected));
  });

  it('reports one line per error, with its line number, and no namespace URIs', () => {
    const xml = replaceOnce(plain, ' eb:version="2.0"', '').replace(/<eb:CPAId>[^<]*<\/eb:CPAId>/, '');
    const { errors } = validateEnvelope(xml);
    expect(errors.map((e) => e.line)).toEqual([4, 8]);
    for (const { message } of errors) {
      expect(message).not.toMatch(/\n|\{http/);
      expect(message).toMatch(/^Element '(eb|soap):\w+'/);
    }
  });

  it('refuses what is not a SOAP envelope, not well-formed, or carries a DTD', () => {
    expect(messages('<PRSC_IN080000UK07 xmlns="urn:hl7-org:v3"/>')).toEqual([
      'root element hl7:PRSC_IN080000UK07 is not a SOAP 1.1 Envelope',
    ]);
    expect(messages('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">')[0]).toMatch(
      /^XML is not well-formed/,
    );
    expect(messages(readFileSync(rootFile('doctype.xml')))[0]).toMatch(/DTD/);
  });

  it('rejects the corpus fixtures whose header breaks the schema, naming the element', () => {
    expect(messages(rootOf('missing-cpaid.mime'))).toEqual([
      expect.stringContaining(
        "Element 'eb:ConversationId': This element is not expected. Expected is ( eb:CPAId )",
      ),
    ]);
    expect(messages(rootOf('missing-message-id.mime'))[0]).toContain('Expected is ( eb:MessageId )');
    expect(messages(rootOf('version-1-0.mime'))[0]).toContain("attribute 'eb:version'");
  });

  it('validates a compiled envelope in well under a millisecond on average', () => {
    validateEnvelope(plain);
    const started = performance.now();
    for (let i = 0; i < 200; i++) validateEnvelope(plain);
    expect((performance.now() - started) / 200).toBeLessThan(5);
  });
});

describe('validateDocument and schemaFor', () => {
  it('picks the envelope schema by root element', () => {
    expect(schemaFor('http://schemas.xmlsoap.org/soap/envelope/', 'Envelope')).toBe('envelope');
    expect(schemaFor(EB, 'MessageHeader')).toBeUndefined();
    expect(schemaFor('urn:hl7-org:v3', 'PRSC_IN080000UK07')).toBe('hl7:PRSC_IN080000UK07');
    expect(schemaFor('urn:hl7-org:v3', 'QUPA_IN040000UK32')).toBeUndefined();
    expect(validateDocument(plain)).toEqual({ valid: true, errors: [], schema: 'envelope' });
    const broken = validateDocument(replaceOnce(plain, ' eb:version="2.0"', ''));
    expect(broken.valid).toBe(false);
    expect(broken.schema).toBe('envelope');
  });

  it('validates HL7 messages against their interaction schema, naming what is wrong', () => {
    const result = validateDocument(
      '<PRSC_IN080000UK07 xmlns="urn:hl7-org:v3"><id root="X"/></PRSC_IN080000UK07>',
    );
    expect(result.valid).toBe(false);
    expect(result.schema).toBe('hl7:PRSC_IN080000UK07');
    expect(result.errors[0]?.message).toMatch(/hl7:id/);
    expect(validateDocument('<note/>').errors[0]?.message).toBe('no schema for note');
    expect(validateDocument('<QUPA_IN040000UK32 xmlns="urn:hl7-org:v3"/>').errors[0]?.message).toBe(
      'no schema for hl7:QUPA_IN040000UK32',
    );
  });

  it('accepts every Choose and Book golden message', () => {
    const dir = join(SCHEMA_DIR, '..', 'mim-samples', 'cab');
    const files = readdirSync(dir).filter((name) => name.endsWith('.xml'));
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const name of files) {
      const result = validateHl7(readFileSync(join(dir, name)));
      expect(result, name).toMatchObject({ valid: true, schema: `hl7:${name.replace(/\.xml$/, '')}` });
    }
  });
});

describe('xmllint agrees (independent libxml2 build, schemas read from disk)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-xsd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function xmllint(xml: string | Buffer): { ok: boolean; output: string } {
    const version = spawnSync('xmllint', ['--version']);
    if (version.error) throw new Error('xmllint is required for this test (apt-get install libxml2-utils)');
    const file = join(dir, 'doc.xml');
    writeFileSync(file, xml);
    const run = spawnSync(
      'xmllint',
      ['--noout', '--schema', join(SCHEMA_DIR, 'ebms-msg-header-2.0.xsd'), file],
      {
        encoding: 'utf8',
      },
    );
    return { ok: run.status === 0, output: run.stderr };
  }

  const samples: [string, string | Buffer, string | undefined][] = [
    ['plain envelope', plain, undefined],
    ['Spine forward-reliable message', rootOf('spine-forward-reliable.mime'), undefined],
    ['MessageError with two errors', rootOf('message-error-two.xml'), undefined],
    ['signed ack references', rootOf('acknowledgment-signed-refs.xml'), undefined],
    ['missing CPAId', replaceOnce(plain, /<eb:CPAId>[^<]*<\/eb:CPAId>/, ''), 'ConversationId'],
    ['missing eb:version', replaceOnce(plain, ' eb:version="2.0"', ''), 'MessageHeader'],
    [
      'ErrorList without highestSeverity',
      replaceOnce(messageError, ' eb:highestSeverity="Error"', ''),
      'ErrorList',
    ],
    ['Description without xml:lang', replaceOnce(messageError, / xml:lang="[^"]*"/, ''), 'Description'],
  ];

  it.each(samples)('%s', (_name, xml, element) => {
    const ours = validateEnvelope(xml);
    const theirs = xmllint(xml);
    expect(theirs.ok, theirs.output).toBe(ours.valid);
    if (element) {
      expect(theirs.output).toContain(`${element}'`);
      expect(ours.errors[0]?.message).toContain(`eb:${element}'`);
    }
  });
});
