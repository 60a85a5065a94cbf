// `mhs-gateway sign FILE --key K --cert C [--algorithm rsa-sha256|rsa-sha1] [--restamp] [--out FILE]`:
// signs an ebXML message as ebMS 2.0 defines it (ds:Signature last in the SOAP Header, a URI=""
// reference plus one cid: reference per manifest part). A MIME body is re-framed with its own
// boundary and parts; an HTTP capture keeps its start line and headers (Content-Length updated).
// It refuses to sign what `inspect --verify` (and the inbound endpoint) would then refuse: SHA-1
// unless --allow-sha1 says so, and a certificate that is not valid at the message's eb:Timestamp
// (--restamp sets that Timestamp to now, as a fresh message would have).
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DEFAULT_BOUNDARY,
  EbxmlFault,
  formatTimestamp,
  frameMime,
  type MimePart,
  type ParsedEbxmlMessage,
  parseContentType,
  parseMessage,
  parseTimestamp,
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
      'allow-sha1': { type: 'boolean' },
      restamp: { type: 'boolean' },
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
  if (algorithm === 'rsa-sha1' && !values['allow-sha1'])
    throw new UsageError(
      'rsa-sha1 is refused by inspect --verify and by every route without allowSha1; give --allow-sha1 to sign with it anyway',
    );
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
  const envelopeXml = values.restamp ? restamped(parsed.envelopeXml) : parsed.envelopeXml;
  if (!values.restamp) signableAt(certificate, values.cert, parsed.header.timestamp);
  let signed: string;
  try {
    signed = signEnvelope(envelopeXml, partsToSign(parsed), { privateKey, certificate }, { algorithm });
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

/** Verification checks the signer at the message time; refuse now what it would refuse then. */
function signableAt(certificate: X509Certificate, path: string, timestamp: string): void {
  const at = parseTimestamp(timestamp);
  if (at === undefined) return; // the parser has accepted it; nothing to compare
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  if (at >= from && at <= to) return;
  throw new UsageError(
    `certificate ${path} (valid ${from.toISOString()} to ${to.toISOString()}) is not valid at the message's eb:Timestamp ${timestamp}, so verification would refuse it; give --restamp to set the Timestamp to now`,
  );
}

/** The envelope with eb:MessageHeader/eb:MessageData/eb:Timestamp set to now. */
function restamped(envelopeXml: string): string {
  const data = /<([\w.-]+:)?MessageData[\s>][\s\S]*?<\/\1MessageData\s*>/.exec(envelopeXml);
  const stamp = data && /(<([\w.-]+:)?Timestamp\s*>)[^<]*(<\/\2Timestamp\s*>)/.exec(data[0]);
  if (!data || !stamp) throw new UsageError('--restamp: the message has no eb:MessageData/eb:Timestamp');
  const replaced = data[0].replace(stamp[0], `${stamp[1]}${formatTimestamp(new Date())}${stamp[3]}`);
  return envelopeXml.slice(0, data.index) + replaced + envelopeXml.slice(data.index + data[0].length);
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
