// Runs the xmlsec1 command line (libxmlsec, an independent XMLDSig implementation). `cid:`
// references are served from files with --url-map, so whole ebMS signatures can be checked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireTool } from './pki-fixture.js';

export interface XmlsecResult {
  ok: boolean;
  output: string;
}

function urlMaps(dir: string, parts: Map<string, Buffer>): string[] {
  return [...parts].flatMap(([contentId, content], i) => {
    const file = path.join(dir, `part-${i}.bin`);
    fs.writeFileSync(file, content);
    return [`--url-map:cid:${contentId}`, file];
  });
}

function run(args: string[]): XmlsecResult {
  requireTool('xmlsec1', ['--version']);
  const result = spawnSync('xmlsec1', args, { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** `trust`: `--trusted-pem ca.pem` or `--pubkey-cert-pem cert.pem` with its file. */
export function xmlsecVerify(
  dir: string,
  signedXml: string,
  trust: ['--trusted-pem' | '--pubkey-cert-pem', string],
  parts: Map<string, Buffer> = new Map(),
): XmlsecResult {
  const file = path.join(dir, 'to-verify.xml');
  fs.writeFileSync(file, signedXml);
  return run(['--verify', ...trust, ...urlMaps(dir, parts), file]);
}

/** Signs a template whose ds:Signature skeleton is already in place; returns the signed text. */
export function xmlsecSign(
  dir: string,
  templateXml: string,
  keyPath: string,
  certPath: string,
  parts: Map<string, Buffer> = new Map(),
): string {
  const input = path.join(dir, 'template.xml');
  const output = path.join(dir, 'xmlsec-signed.xml');
  fs.writeFileSync(input, templateXml);
  const result = run([
    '--sign',
    '--privkey-pem',
    `${keyPath},${certPath}`,
    ...urlMaps(dir, parts),
    '--output',
    output,
    input,
  ]);
  if (!result.ok) throw new Error(`xmlsec1 --sign failed: ${result.output}`);
  return fs.readFileSync(output, 'utf8');
}
