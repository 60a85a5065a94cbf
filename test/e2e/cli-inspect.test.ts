// The built command line (`node bin/mhs-gateway.js`, as `npm test` builds it first) on the
// inbound corpus and on messages it signs: inspect must print what expected.json says the
// library reads, validate and sign must interoperate with inspect --verify and xmlsec1.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { formatTimestamp, parseMime } from '../../src/ebxml/index.js';
import {
  CORPUS_DIR,
  contentTypeOf,
  corpus,
  type ExpectedFixture,
  isHttpCapture,
} from '../unit/schemas/corpus.js';
import { createTestPki, type TestPki } from '../unit/security/xmldsig/pki-fixture.js';
import { xmlsecVerify } from '../unit/security/xmldsig/xmlsec-fixture.js';

const bin = join(packageRoot, 'bin', 'mhs-gateway.js');
const GOLDEN = join(packageRoot, 'mim-samples', 'ebxml');
const run = promisify(execFile);

interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: packageRoot,
      env: { PATH: process.env.PATH, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { status: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function cliSync(args: string[]): { status: number; stdout: Buffer; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: packageRoot,
    env: { PATH: process.env.PATH },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

function json(result: CliResult): Record<string, unknown> {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** One line on stderr, `mhs-gateway: …`, exit 1, nothing on stdout. */
function oneLineFailure(result: CliResult): string {
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^mhs-gateway: [^\n]+\n$/);
  return result.stderr.trim();
}

beforeAll(() => {
  if (!existsSync(join(packageRoot, 'dist', 'cli', 'inspect.js'))) {
    throw new Error('dist/ is not built: run `npm run build` (npm test does it first)');
  }
});

/** What inspect must print for a fixture, derived from the library table in expected.json. */
function expectedInspect(expected: ExpectedFixture): Record<string, unknown> {
  const d = corpus.defaults;
  const signature = { present: expected.signaturePresent ?? d.signaturePresent, valid: null };
  if (expected.fault) {
    const ebxml = Object.fromEntries(
      [
        'messageId',
        'conversationId',
        'refToMessageId',
        'cpaId',
        'service',
        'action',
        'from',
        'to',
        'timestamp',
        'duplicateElimination',
        'ackRequested',
        'syncReply',
      ].map((key) => [key, null]),
    );
    return { ebxml, errors: [], payload: null, attachments: [], signature, ...expected.inspect };
  }
  const header = { ...d.header, ...expected.header } as Record<string, string> & {
    from: { id: string };
    to: { id: string };
  };
  const reliability = expected.reliability ?? d.reliability;
  const manifest = expected.manifest ?? d.manifest;
  const [payload, ...attachments] = expected.parts ?? d.parts;
  const size = (part: { text?: string; base64?: string }) =>
    part.text !== undefined
      ? Buffer.byteLength(part.text, 'utf8')
      : Buffer.from(part.base64 ?? '', 'base64').length;
  return {
    ebxml: {
      messageId: header.messageId,
      conversationId: header.conversationId,
      refToMessageId: header.refToMessageId ?? null,
      cpaId: header.cpaId,
      service: header.service,
      action: header.action,
      from: header.from.id,
      to: header.to.id,
      timestamp: header.timestamp,
      duplicateElimination: reliability.duplicateElimination,
      ackRequested: reliability.ackRequested
        ? { actor: reliability.ackRequested.actor ?? null, signed: reliability.ackRequested.signed }
        : null,
      syncReply: reliability.syncReply,
    },
    kind: expected.kind,
    errors: (expected.errors ?? []).map((e) => ({
      code: e.errorCode,
      severity: e.severity,
      description: e.description ?? null,
    })),
    payload: payload
      ? {
          interactionId: expected.inspect?.interactionId ?? d.inspect.interactionId,
          contentType: payload.contentType,
        }
      : null,
    attachments: [
      ...attachments.map((part) => ({
        contentId: part.contentId,
        contentType: part.contentType,
        size: size(part),
        description: manifest.find((r) => r.href === `cid:${part.contentId}`)?.description ?? null,
        href: `cid:${part.contentId}`,
      })),
      ...manifest
        .filter((r) => !r.href.startsWith('cid:'))
        .map((r) => ({
          contentId: null,
          contentType: null,
          size: null,
          description: r.description ?? null,
          href: r.href,
        })),
    ],
    signature,
  };
}

describe('inspect on every inbound corpus file', () => {
  const files = Object.keys(corpus.fixtures);
  const results = new Map<string, CliResult>();

  beforeAll(async () => {
    // Spawned a few at a time: each is a whole CLI start.
    const queue = [...files];
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const contentType = contentTypeOf(file);
        const args = ['inspect', join(CORPUS_DIR, file)];
        if (!isHttpCapture(file) && contentType !== undefined) args.push('--content-type', contentType);
        results.set(file, await cli(args));
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
  }, 120_000);

  it('covers at least 45 fixtures, HTTP captures included', () => {
    expect(files.length).toBeGreaterThanOrEqual(45);
    expect(files.filter(isHttpCapture).length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s', (file) => {
    const expected = corpus.fixtures[file]!;
    const result = results.get(file)!;
    if (expected.fault && !expected.inspect) {
      const line = oneLineFailure(result);
      expect(line.startsWith(`mhs-gateway: ${expected.fault.errorCode}`)).toBe(true);
      if (expected.fault.location) expect(line).toContain(` at ${expected.fault.location}: `);
      if (expected.fault.description) expect(line).toContain(expected.fault.description);
      return;
    }
    expect(json(result)).toEqual(expectedInspect(expected));
  });
});

describe('inspect, validate and sign', () => {
  let pki: TestPki;
  let dir: string;
  let now: string;

  beforeAll(() => {
    pki = createTestPki();
    // After the certificates exist: they are valid from the second they were made.
    now = formatTimestamp(new Date(Date.now() + 1000));
    dir = mkdtempSync(join(tmpdir(), 'mhs-cli-sign-'));
  });
  afterAll(() => {
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The golden message with attachments, stamped now so the test certificate covers it. */
  function goldenMime(): string {
    const file = join(dir, 'message.mime');
    const bytes = readFileSync(join(GOLDEN, 'message-with-attachments.mime'), 'latin1');
    writeFileSync(
      file,
      bytes.replace(
        '<eb:Timestamp>2026-01-05T10:00:00Z</eb:Timestamp>',
        `<eb:Timestamp>${now}</eb:Timestamp>`,
      ),
      'latin1',
    );
    return file;
  }

  function sign(input: string, output: string, extra: string[] = []): Promise<CliResult> {
    return cli([
      'sign',
      input,
      '--key',
      pki.leaf.keyPath,
      '--cert',
      pki.leaf.certPath,
      '--out',
      output,
      ...extra,
    ]);
  }

  it('signs a golden MIME message; inspect --verify says valid and reads the same message', async () => {
    const input = goldenMime();
    const signed = join(dir, 'signed.mime');
    const signing = await sign(input, signed);
    expect(signing.status, signing.stderr).toBe(0);
    expect(signing.stderr).toMatch(/^Content-Type: multipart\/related; boundary="--=_MIME-Boundary";/);

    const before = json(await cli(['inspect', input]));
    const after = json(await cli(['inspect', signed, '--verify', '--trusted', pki.ca.certPath]));
    expect(after.signature).toEqual({ present: true, valid: true });
    expect({ ...after, signature: null }).toEqual({ ...before, signature: null });
    expect((after.attachments as unknown[]).length).toBe(3);
    expect(readFileSync(signed, 'latin1').startsWith('----=_MIME-Boundary\r\n')).toBe(true);

    // Default trust is the configured tls.ca.
    const byConfig = json(await cli(['inspect', signed, '--verify'], { MHS_TLS_CA: pki.ca.certPath }));
    expect(byConfig.signature).toEqual({ present: true, valid: true });
    // Without --verify nothing is checked.
    expect(json(await cli(['inspect', signed])).signature).toEqual({ present: true, valid: null });
    // The signed envelope is still valid against our schemas.
    expect(await cli(['validate', signed])).toEqual({ status: 0, stdout: 'valid\n', stderr: '' });
  });

  it('says invalid when one byte of a signed part or of the header changes', async () => {
    const signed = join(dir, 'signed.mime');
    const text = readFileSync(signed, 'latin1');
    const tampered = join(dir, 'tampered.mime');

    writeFileSync(tampered, text.replace('line two', 'line tw0'), 'latin1');
    const part = json(await cli(['inspect', tampered, '--verify', '--trusted', pki.ca.certPath]));
    expect(part.signature).toEqual({
      present: true,
      valid: false,
      reason: expect.stringMatching(/^digest mismatch for cid:/),
    });

    writeFileSync(tampered, text.replace('<eb:CPAId>S918999714114<', '<eb:CPAId>S918999714115<'), 'latin1');
    const header = json(await cli(['inspect', tampered, '--verify', '--trusted', pki.ca.certPath]));
    expect(header.signature).toEqual({ present: true, valid: false, reason: 'digest mismatch for URI=""' });

    const stranger = json(await cli(['inspect', signed, '--verify', '--trusted', pki.stranger.certPath]));
    expect(stranger.signature).toMatchObject({
      present: true,
      valid: false,
      reason: expect.stringContaining('not trusted'),
    });
  });

  it('produces an envelope part that xmlsec1 verifies, cid: parts included', () => {
    const signed = readFileSync(join(dir, 'signed.mime'));
    const { root, parts } = parseMime(undefined, signed);
    const map = new Map(parts.map((part) => [part.contentId, part.content]));
    const result = xmlsecVerify(dir, root.content.toString('utf8'), ['--trusted-pem', pki.ca.certPath], map);
    expect(result.ok, result.output).toBe(true);
  });

  it('signs a bare envelope and an HTTP capture, keeping their form', async () => {
    const ack = join(dir, 'ack.xml');
    writeFileSync(
      ack,
      readFileSync(join(GOLDEN, 'acknowledgment.xml'), 'utf8').replaceAll('2026-01-05T10:00:01Z', now),
    );
    const signedAck = join(dir, 'ack-signed.xml');
    expect((await sign(ack, signedAck)).status).toBe(0);
    expect(readFileSync(signedAck, 'utf8')).toMatch(
      /^<\?xml[^>]*\?>\n<SOAP:Envelope[\s\S]*<\/ds:Signature>\n?\s*<\/SOAP:Header>/,
    );
    const inspected = json(await cli(['inspect', signedAck, '--verify', '--trusted', pki.ca.certPath]));
    expect(inspected).toMatchObject({ kind: 'acknowledgment', signature: { present: true, valid: true } });

    const http = join(dir, 'request.http');
    const capture = readFileSync(join(CORPUS_DIR, 'soapaction-ebxml.http'), 'latin1');
    writeFileSync(
      http,
      capture.replace('<eb:Timestamp>2026-01-05T09:59:58Z<', `<eb:Timestamp>${now}<`),
      'latin1',
    );
    const signedHttp = join(dir, 'request-signed.http');
    const signing = await sign(http, signedHttp);
    expect(signing).toMatchObject({ status: 0, stderr: '' });
    const out = readFileSync(signedHttp);
    const head = out.subarray(0, out.indexOf('\r\n\r\n')).toString('latin1');
    expect(head.split('\r\n')[0]).toBe('POST /reliablemessaging/reliablerequest HTTP/1.1');
    expect(head).toContain('SOAPAction: "ebXML"');
    const length = Number(/Content-Length: (\d+)/.exec(head)?.[1]);
    expect(length).toBe(out.length - out.indexOf('\r\n\r\n') - 4);
    const verified = json(await cli(['inspect', signedHttp, '--verify', '--trusted', pki.ca.certPath]));
    expect(verified.signature).toEqual({ present: true, valid: true });
  });

  it('signs with RSA-SHA1 only with --allow-sha1, and inspect accepts it only with --allow-sha1', async () => {
    const signed = join(dir, 'sha1.mime');
    expect(oneLineFailure(await sign(goldenMime(), signed, ['--algorithm', 'rsa-sha1']))).toContain(
      'give --allow-sha1 to sign with it anyway',
    );
    const signing = await sign(goldenMime(), signed, ['--algorithm', 'rsa-sha1', '--allow-sha1']);
    expect(signing.status, signing.stderr).toBe(0);
    const strict = json(await cli(['inspect', signed, '--verify', '--trusted', pki.ca.certPath]));
    expect(strict.signature).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/rsa-sha1 is not allowed .*--allow-sha1 accepts it/),
    });
    const lenient = json(
      await cli(['inspect', signed, '--verify', '--allow-sha1', '--trusted', pki.ca.certPath]),
    );
    expect(lenient.signature).toEqual({ present: true, valid: true });
  });

  it('signs a golden sample as it is only with --restamp, and then it verifies', async () => {
    const golden = join(GOLDEN, 'message-with-attachments.mime');
    const signed = join(dir, 'restamped.mime');
    // The sample's eb:Timestamp predates the certificate: verification would refuse it, so sign does.
    expect(oneLineFailure(await sign(golden, signed))).toMatch(
      /is not valid at the message's eb:Timestamp 2026-01-05T10:00:00Z, .*give --restamp/,
    );
    const signing = await sign(golden, signed, ['--restamp']);
    expect(signing.status, signing.stderr).toBe(0);
    const verified = json(await cli(['inspect', signed, '--verify', '--trusted', pki.ca.certPath]));
    expect(verified.signature).toEqual({ present: true, valid: true });
    const header = verified.ebxml as { timestamp: string };
    expect(Date.parse(header.timestamp)).toBeGreaterThan(Date.parse('2026-01-05T10:00:00Z'));
    // Only the Timestamp changed: the rest of the header is the sample's.
    const original = json(await cli(['inspect', golden])).ebxml as object;
    expect({ ...header, timestamp: null }).toEqual({ ...original, timestamp: null });
  });

  it('fails in one line: no key, unknown algorithm, already signed, malformed input', async () => {
    const input = goldenMime();
    expect(oneLineFailure(await cli(['sign', input]))).toContain('--key');
    expect(oneLineFailure(await sign(input, join(dir, 'x'), ['--algorithm', 'md5']))).toContain(
      '--algorithm md5',
    );
    expect(oneLineFailure(await sign(join(dir, 'signed.mime'), join(dir, 'x')))).toContain(
      'already contains a ds:Signature',
    );
    expect(oneLineFailure(await sign(join(CORPUS_DIR, 'truncated.mime'), join(dir, 'x')))).toMatch(
      /^mhs-gateway: MimeProblem: /,
    );
    const wrongKey = await cli(['sign', input, '--key', pki.stranger.keyPath, '--cert', pki.leaf.certPath]);
    expect(oneLineFailure(wrongKey)).toContain('does not match');
    expect(oneLineFailure(await cli(['inspect', join(dir, 'missing.xml')]))).toContain('ENOENT');
    expect(
      oneLineFailure(await cli(['inspect', input, '--verify', '--trusted', join(dir, 'missing.pem')])),
    ).toContain('cannot read trust anchors');
  });

  it('writes the signed message to stdout without --out', () => {
    const result = cliSync(['sign', goldenMime(), '--key', pki.leaf.keyPath, '--cert', pki.leaf.certPath]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.toString('latin1')).toMatch(
      /^----=_MIME-Boundary\r\n[\s\S]*<ds:Signature [\s\S]*----=_MIME-Boundary--\r\n$/,
    );
  });

  it('validate: valid envelopes, named errors, HL7 without a schema yet, broken MIME', async () => {
    expect(await cli(['validate', join(CORPUS_DIR, 'spine-forward-reliable.mime')])).toEqual({
      status: 0,
      stdout: 'valid\n',
      stderr: '',
    });
    expect((await cli(['validate', join(CORPUS_DIR, 'lf-capture.http')])).stdout).toBe('valid\n');
    expect((await cli(['validate', join(CORPUS_DIR, 'spine-soap-fault.xml')])).stdout).toBe('valid\n');

    const missing = await cli(['validate', join(CORPUS_DIR, 'missing-cpaid.mime')]);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(
      `${join(CORPUS_DIR, 'missing-cpaid.mime')} (root part):2: Element 'eb:ConversationId': This element is not expected. Expected is ( eb:CPAId ).\n`,
    );

    const twoErrors = join(dir, 'two-errors.xml');
    const plain = readFileSync(join(CORPUS_DIR, 'plain-envelope.xml'), 'utf8');
    writeFileSync(
      twoErrors,
      plain.replace(' eb:version="2.0"', '').replace(/<eb:CPAId>[^<]*<\/eb:CPAId>/, ''),
    );
    const both = await cli(['validate', twoErrors]);
    expect(both.status).toBe(1);
    expect(both.stderr.trimEnd().split('\n')).toEqual([
      `${twoErrors}:4: Element 'eb:MessageHeader': The attribute 'eb:version' is required but missing.`,
      `${twoErrors}:8: Element 'eb:ConversationId': This element is not expected. Expected is ( eb:CPAId ).`,
    ]);

    // HL7 messages are validated against their interaction's schema in schemas/hl7/.
    const hl7 = join(GOLDEN, '..', 'cab', 'PRSC_IN090000UK09.xml');
    expect(await cli(['validate', hl7])).toEqual({ status: 0, stdout: 'valid\n', stderr: '' });
    const brokenHl7 = join(mkdtempSync(join(tmpdir(), 'mhs-validate-')), 'broken.xml');
    writeFileSync(brokenHl7, readFileSync(hl7, 'utf8').replace(/<versionCode [^>]*\/>/, ''));
    const refused = await cli(['validate', brokenHl7]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /Element 'hl7:interactionId': This element is not expected\. Expected is \( hl7:versionCode \)/,
    );
    expect(oneLineFailure(await cli(['validate', join(CORPUS_DIR, 'truncated.mime')]))).toMatch(
      /^mhs-gateway: MimeProblem: /,
    );
  });

  it('inspect reads a chunked HTTP capture like the plain one', async () => {
    const capture = readFileSync(join(CORPUS_DIR, 'soapaction-ebxml.http'));
    const split = capture.indexOf('\r\n\r\n') + 4;
    const head = capture
      .subarray(0, split)
      .toString('latin1')
      .replace(/Content-Length: \d+\r\n/, 'Transfer-Encoding: chunked\r\n');
    const body = capture.subarray(split);
    const chunks = [body.subarray(0, 100), body.subarray(100, 1500), body.subarray(1500)].map((chunk) =>
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)};ext=1\r\n`), chunk, Buffer.from('\r\n')]),
    );
    const file = join(dir, 'chunked.http');
    writeFileSync(file, Buffer.concat([Buffer.from(head, 'latin1'), ...chunks, Buffer.from('0\r\n\r\n')]));
    const plain = json(await cli(['inspect', join(CORPUS_DIR, 'soapaction-ebxml.http')]));
    expect(json(await cli(['inspect', file]))).toEqual(plain);
  });

  it('inspect finds the HL7 interaction below a sync response wrapper', async () => {
    const file = join(dir, 'sync-response.xml');
    const request = readFileSync(join(CORPUS_DIR, 'sync-soap-request.xml'), 'utf8');
    writeFileSync(
      file,
      request.replace(
        /<QUPA_IN040000UK32 [\s\S]*<\/QUPA_IN040000UK32>/,
        (hl7) => `<retrievalQueryResponse xmlns="urn:hl7-org:v3">${hl7}</retrievalQueryResponse>`,
      ),
    );
    const out = json(await cli(['inspect', file]));
    expect(out).toMatchObject({ kind: 'soap', payload: { interactionId: 'QUPA_IN040000UK32' } });
  });
});
