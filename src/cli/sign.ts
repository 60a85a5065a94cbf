// `mhs-gateway sign FILE --key K --cert C [--algorithm rsa-sha256|rsa-sha1] [--out FILE]`: signs
// an ebXML message as ebMS 2.0 defines it (ds:Signature last in the SOAP Header, a URI=""
// reference plus one cid: reference per manifest part). A MIME body is re-framed with its own
// boundary and parts; an HTTP capture keeps its start line and headers (Content-Length updated).
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DEFAULT_BOUNDARY,
  EbxmlFault,
  frameMime,
  type MimePart,
  type ParsedEbxmlMessage,
  parseContentType,
  parseMessage,
} from '../ebxml/index.js';
import { type SignatureAlgorithm, signEnvelope } from '../security/xmldsig/index.js';
import { type Capture, readCaptureFile, withNewBody } from './capture.js';
import { UsageError } from './usage.js';

const ALGORITHMS: readonly SignatureAlgorithm[] = ['rsa-sha256', 'rsa-sha1'];

export async function runSign(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      cert: { type: 'string' },
      algorithm: { type: 'string' },
      out: { type: 'string' },
      'content-type': { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new UsageError('sign takes one FILE');
  if (!values.key || !values.cert) throw new UsageError('sign needs --key KEY.pem and --cert CERT.pem');
  const algorithm = (values.algorithm ?? 'rsa-sha256') as SignatureAlgorithm;
  if (!ALGORITHMS.includes(algorithm)) {
    throw new UsageError(`--algorithm ${values.algorithm} is not one of ${ALGORITHMS.join(', ')}`);
  }
  const capture = readCaptureFile(positionals[0], 'sign');
  if (values['content-type'] !== undefined) capture.contentType = values['content-type'];
  if (capture.contentType?.trim() === '') delete capture.contentType;
  const privateKey = readKey(values.key);
  const certificate = readCertificate(values.cert);

  let parsed: ParsedEbxmlMessage;
  try {
    parsed = parseMessage(capture.contentType, capture.body, capture.soapAction);
  } catch (error) {
    if (error instanceof EbxmlFault) throw new UsageError(error.message.split('\n')[0]);
    throw error;
  }
  let signed: string;
  try {
    signed = signEnvelope(
      parsed.envelopeXml,
      partsToSign(parsed),
      { privateKey, certificate },
      { algorithm },
    );
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const output = frame(capture, parsed, signed);
  // A signed message carries patient data: readable by its owner only, like the keys.
  if (values.out) {
    writeFileSync(values.out, output, { mode: 0o600 });
    chmodSync(values.out, 0o600);
  } else process.stdout.write(output);
}

/** The parts the manifest names by cid:, which is what the verifier expects to find referenced. */
function partsToSign(parsed: ParsedEbxmlMessage): MimePart[] {
  const byId = new Map(parsed.parts.map((part) => [part.contentId.toLowerCase(), part]));
  const named: MimePart[] = [];
  for (const { href } of parsed.manifest) {
    const match = /^\s*cid:(.*?)\s*$/i.exec(href);
    if (!match) continue;
    const part = byId.get(decoded(match[1] ?? '').toLowerCase());
    if (part && !named.includes(part)) named.push(part);
  }
  return named;
}

function frame(capture: Capture, parsed: ParsedEbxmlMessage, signedEnvelope: string): Buffer {
  const boundary = boundaryOf(capture);
  if (boundary === undefined) {
    const body = Buffer.from(signedEnvelope, 'utf8');
    return withNewBody(capture, capture.contentType ?? 'text/xml; charset=UTF-8', body);
  }
  // Parts go back as they came, except quoted-printable, which we do not write: its decoded
  // bytes (what the cid: digest covers) go as 8bit.
  const parts = parsed.parts.map((part) =>
    part.transferEncoding === 'quoted-printable' ? { ...part, transferEncoding: '8bit' } : part,
  );
  let framed: { contentType: string; body: Buffer };
  try {
    framed = frameMime(signedEnvelope, parts, boundary);
  } catch (error) {
    throw new UsageError(`cannot re-frame the MIME body: ${(error as Error).message}`);
  }
  if (!capture.http) process.stderr.write(`Content-Type: ${framed.contentType}\n`);
  return withNewBody(capture, framed.contentType, framed.body);
}

/** The multipart boundary from Content-Type or the body's first line; undefined for bare XML. */
function boundaryOf(capture: Capture): string | undefined {
  if (capture.contentType) {
    const type = parseContentType(capture.contentType);
    if (!type.mediaType.startsWith('multipart/')) return undefined;
    return type.params.get('boundary') ?? DEFAULT_BOUNDARY;
  }
  const head = capture.body.subarray(0, 1024).toString('latin1');
  return /^\s*--([^\r\n]+?)[ \t]*\r?\n/.exec(head)?.[1];
}

function readKey(path: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(path));
  } catch (error) {
    throw new UsageError(`cannot read private key ${path}: ${oneLine(error)}`);
  }
}

function readCertificate(path: string): X509Certificate {
  try {
    return new X509Certificate(readFileSync(path));
  } catch (error) {
    throw new UsageError(`cannot read certificate ${path}: ${oneLine(error)}`);
  }
}

function oneLine(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code && /^E[A-Z]+$/.test(e.code) ? e.code : String(e.message ?? error).split('\n')[0]!;
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
