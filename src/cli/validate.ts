// `mhs-gateway validate FILE`: XSD-validates a SOAP/ebXML envelope (for a MIME body or HTTP
// capture, its root part) or a payload, against our own schemas. Prints `valid` (exit 0), or
// one `FILE:LINE: message` line per error on stderr (exit 1).
import { parseArgs } from 'node:util';
import { EbxmlFault, parseMime } from '../ebxml/index.js';
import { validateDocument } from '../schemas/index.js';
import { readCaptureFile } from './capture.js';
import { UsageError } from './usage.js';

export async function runValidate(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'content-type': { type: 'string' } },
  });
  if (positionals.length > 1) throw new UsageError('validate takes one FILE');
  const file = positionals[0];
  const capture = readCaptureFile(file, 'validate');
  const contentType = values['content-type'] ?? capture.contentType;
  let root: Buffer;
  try {
    root = parseMime(contentType?.trim() ? contentType : undefined, capture.body).root.content;
  } catch (error) {
    if (error instanceof EbxmlFault) throw new UsageError(error.message.split('\n')[0]);
    throw error;
  }
  const result = validateDocument(root);
  if (result.valid) {
    process.stdout.write('valid\n');
    return;
  }
  // Line numbers count from the start of the XML document, i.e. of the root part when framed.
  const framed = capture.http !== undefined || root.byteLength !== capture.body.byteLength;
  const name = framed ? `${file} (root part)` : `${file}`;
  const lines = result.errors.map((e) => `${name}${e.line ? `:${e.line}` : ''}: ${e.message}`);
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exitCode = 1;
}
