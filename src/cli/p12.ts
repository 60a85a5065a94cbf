import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pkcs12Error, readPkcs12, writePkcs12Files } from '../security/pki/index.js';
import { UsageError } from './usage.js';

/**
 * `pki import-p12 FILE --out DIR [--password-env VAR]`. The password never comes from the
 * command line (it would show in `ps` and shell history): from the variable VAR, or piped on stdin.
 */
export async function runImportP12(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { out: { type: 'string' }, 'password-env': { type: 'string' } },
    allowPositionals: true,
  });
  const [file, extra] = positionals;
  if (!file || extra !== undefined) throw new UsageError('pki import-p12 needs exactly one FILE');
  if (!values.out) throw new UsageError('pki import-p12 needs --out DIR');
  const password = await readPassword(values['password-env']);
  let der: Buffer;
  try {
    der = readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    const written = writePkcs12Files(readPkcs12(der, password), resolve(values.out));
    const { contents } = written;
    const lines = [
      `wrote ${written.certFile} (certificate ${oneLine(contents.leaf.subject)}, ${contents.intermediates.length} intermediate(s))`,
      `wrote ${written.keyFile} (private key, mode 0600)`,
    ];
    if (written.caFile)
      lines.push(`wrote ${written.caFile} (root CA from the file: check it before trusting it)`);
    if (contents.unrelated.length > 0)
      lines.push(`ignored ${contents.unrelated.length} certificate(s) outside the chain`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    if (error instanceof Pkcs12Error) throw new UsageError(`PKCS#12 file ${file}: ${error.message}`);
    throw error;
  }
}

async function readPassword(variable: string | undefined): Promise<string> {
  if (variable !== undefined) {
    const value = process.env[variable];
    if (value === undefined) throw new UsageError(`--password-env ${variable}: that variable is not set`);
    return value;
  }
  if (process.stdin.isTTY)
    throw new UsageError('give the PKCS#12 password with --password-env VAR, or pipe it on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing line break is the pipe's, not the password's.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');
