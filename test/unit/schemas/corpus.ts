// The inbound corpus (test/fixtures/inbound + expected.json) as the schema and CLI tests read
// it: each fixture's body and the Content-Type / SOAPAction it arrives with. A .http fixture is
// a whole HTTP capture, so those come from its own headers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('../../fixtures/inbound/', import.meta.url));

export interface ExpectedPart {
  contentId: string;
  contentType: string;
  transferEncoding: string;
  text?: string;
  base64?: string;
}

interface Party {
  id: string;
  type?: string;
}

export interface ExpectedFixture {
  note?: string;
  contentType?: string | null;
  soapAction?: string;
  kind?: string;
  header?: Record<string, string | Party>;
  reliability?: {
    duplicateElimination: boolean;
    ackRequested?: { actor?: string; signed: boolean };
    syncReply: boolean;
  };
  manifest?: { href: string; description?: string; documentId?: string; hl7Payload: boolean }[];
  parts?: ExpectedPart[];
  signaturePresent?: boolean;
  errors?: { errorCode: string; severity: string; description?: string }[];
  fault?: { errorCode: string; description?: string; headerParsed: boolean; location?: string };
  /** What `inspect` prints where it differs from the library's reading (plain SOAP, faults). */
  inspect?: Record<string, unknown> & { interactionId?: string };
}

export interface CorpusIndex {
  defaults: Required<
    Pick<
      ExpectedFixture,
      'contentType' | 'header' | 'reliability' | 'manifest' | 'parts' | 'signaturePresent'
    >
  > & { contentType: string; inspect: { interactionId: string } };
  fixtures: Record<string, ExpectedFixture>;
}

export const corpus = JSON.parse(readFileSync(`${CORPUS_DIR}expected.json`, 'utf8')) as CorpusIndex;

export function isHttpCapture(file: string): boolean {
  return file.endsWith('.http');
}

/** The Content-Type a non-HTTP fixture is delivered with (undefined: none at all). */
export function contentTypeOf(file: string): string | undefined {
  const expected = corpus.fixtures[file];
  if (!expected || isHttpCapture(file)) return undefined;
  return expected.contentType === null ? undefined : (expected.contentType ?? corpus.defaults.contentType);
}

export function loadFixture(file: string): { body: Buffer; contentType?: string } {
  const raw = readFileSync(`${CORPUS_DIR}${file}`);
  if (!isHttpCapture(file)) return { body: raw, contentType: contentTypeOf(file) };
  const text = raw.toString('latin1');
  const blank = /\r?\n\r?\n/.exec(text);
  if (!blank) throw new Error(`${file} has no blank line after its headers`);
  const header = text
    .slice(0, blank.index)
    .split(/\r?\n/)
    .find((line) => line.toLowerCase().startsWith('content-type:'));
  return { body: raw.subarray(blank.index + blank[0].length), contentType: header?.slice(13).trim() };
}
