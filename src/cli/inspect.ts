// `mhs-gateway inspect FILE [--verify] [--trusted CA.pem]`: a captured message as JSON on stdout.
// Anything that stops decoding is one line on stderr, named as the gateway would name it
// (e.g. `MimeProblem: body has no closing delimiter`), and exit status 1.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { EbxmlFault } from '../ebxml/index.js';
import { readCaptureFile } from './capture.js';
import { describeMessage, type VerifyWith } from './describe-message.js';
import { UsageError } from './usage.js';

export async function runInspect(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      verify: { type: 'boolean' },
      trusted: { type: 'string' },
      'allow-sha1': { type: 'boolean' },
      'content-type': { type: 'string' },
      'soap-action': { type: 'string' },
      config: { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new UsageError('inspect takes one FILE');
  const capture = readCaptureFile(positionals[0], 'inspect');
  if (values['content-type'] !== undefined) capture.contentType = values['content-type'];
  if (values['soap-action'] !== undefined) capture.soapAction = values['soap-action'];
  if (capture.contentType?.trim() === '') delete capture.contentType;

  const verify: VerifyWith | undefined = values.verify
    ? { trusted: trustAnchors(values.trusted, values.config), allowSha1: values['allow-sha1'] ?? false }
    : undefined;
  let description: ReturnType<typeof describeMessage>;
  try {
    description = describeMessage(capture, verify);
  } catch (error) {
    if (error instanceof EbxmlFault) throw new UsageError(error.message.split('\n')[0]);
    throw error;
  }
  process.stdout.write(`${JSON.stringify(description, null, 2)}\n`);
}

/** `--trusted FILE`, else the configured tls.ca: every certificate in the PEM bundle is an anchor. */
export function trustAnchors(file: string | undefined, configFile: string | undefined): X509Certificate[] {
  const path = file ?? loadConfig({ file: configFile }).tls.ca;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const hint = file ? '' : ' (the configured tls.ca; name another with --trusted CA.pem)';
    throw new UsageError(
      `cannot read trust anchors ${path}${hint}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`${path} holds no PEM certificate`);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new UsageError(`${path}: certificate ${index + 1} cannot be parsed`);
    }
  });
}
