// Throwaway test PKI made with the openssl command line in a temp directory: a CA, a leaf it
// issued, an unrelated self-signed certificate and a 1024-bit one. Generation only.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCredential {
  keyPath: string;
  certPath: string;
  privateKey: crypto.KeyObject;
  certificate: crypto.X509Certificate;
}

export interface TestPki {
  dir: string;
  ca: TestCredential;
  /** RSA-2048, issued by `ca`, valid from now for 30 days. */
  leaf: TestCredential;
  /** Self-signed RSA-2048 that nothing trusts. */
  stranger: TestCredential;
  /** Self-signed RSA-1024, for the key-size rule. */
  weak: TestCredential;
  cleanup(): void;
}

export function requireTool(tool: string, versionArgs: string[]): void {
  try {
    execFileSync(tool, versionArgs, { stdio: 'pipe' });
  } catch {
    throw new Error(`${tool} is required for this test but is not installed (apt-get install ${tool})`);
  }
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function load(dir: string, name: string): TestCredential {
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.pem`);
  return {
    keyPath,
    certPath,
    privateKey: crypto.createPrivateKey(fs.readFileSync(keyPath)),
    certificate: new crypto.X509Certificate(fs.readFileSync(certPath)),
  };
}

function selfSigned(
  dir: string,
  name: string,
  bits: number,
  subject: string,
  extensions: string[] = [],
): void {
  const ext = extensions.flatMap((e) => ['-addext', e]);
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    `rsa:${bits}`,
    '-nodes',
    '-sha256',
    '-days',
    '30',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-subj',
    subject,
    ...ext,
  ]);
}

export function createTestPki(): TestPki {
  requireTool('openssl', ['version']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xmldsig-pki-'));
  selfSigned(dir, 'ca', 2048, '/CN=Test Signing CA', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
    '-subj',
    '/CN=leaf.test',
  ]);
  fs.writeFileSync(path.join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    '4242',
    '-sha256',
    '-days',
    '30',
    '-extfile',
    'leaf.ext',
    '-out',
    'leaf.pem',
  ]);
  selfSigned(dir, 'stranger', 2048, '/CN=stranger.test');
  selfSigned(dir, 'weak', 1024, '/CN=weak.test');
  return {
    dir,
    ca: load(dir, 'ca'),
    leaf: load(dir, 'leaf'),
    stranger: load(dir, 'stranger'),
    weak: load(dir, 'weak'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
