import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { createCsr, initDevPki, inspectCertificates } from '../security/pki/index.js';
import { runImportP12 } from './p12.js';
import { UsageError } from './usage.js';

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}$/i;

/** `--hosts gateway-1,gateway-2,simulator`: extra names for the development certificates. */
function hostList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const hosts = value
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host !== '');
  for (const host of hosts)
    if (!HOST_NAME.test(host) && isIP(host) === 0)
      throw new UsageError(`--hosts: ${host} is not a host name or IP address`);
  return hosts;
}

export async function runPki(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'init') {
    const { values } = parseArgs({
      args: rest,
      options: { dir: { type: 'string' }, force: { type: 'boolean' }, hosts: { type: 'string' } },
    });
    const hosts = hostList(values.hosts);
    const dir = resolve(values.dir ?? join(loadConfig().dataDir, 'pki'));
    const result = await initDevPki({ dir, force: values.force ?? false, hosts });
    // Say what happened, after it happened: a CA and leaves made, only leaves re-issued, or nothing.
    if (result.written.length === 0)
      process.stdout.write(`kept existing development PKI in ${dir} (--force replaces it)\n`);
    else
      process.stdout.write(
        `wrote ${result.written.map((file) => basename(file)).join(', ')} in ${dir}${result.newCa ? ' (new development CA)' : ''}\n`,
      );
    return;
  }
  if (sub === 'csr') {
    const { values } = parseArgs({
      args: rest,
      options: { cn: { type: 'string' }, out: { type: 'string' } },
    });
    if (!values.cn)
      throw new UsageError('pki csr needs --cn FQDN (the endpoint name NHS onboarding registers)');
    if (!HOST_NAME.test(values.cn)) throw new UsageError(`--cn ${values.cn} is not a host name`);
    const dir = resolve(values.out ?? '.');
    mkdirSync(dir, { recursive: true }); // as import-p12 does with its --out
    const { keyPem, csrPem } = await createCsr(values.cn);
    const keyFile = join(dir, `${values.cn}.key`);
    const csrFile = join(dir, `${values.cn}.csr`);
    writeFileSync(keyFile, keyPem, { mode: 0o600, flag: 'wx' });
    writeFileSync(csrFile, csrPem, { flag: 'wx' });
    process.stdout.write(`wrote ${keyFile} (keep secret) and ${csrFile} (send to NHS onboarding)\n`);
    return;
  }
  if (sub === 'inspect') {
    const file = rest[0];
    if (!file) throw new UsageError('pki inspect needs a FILE (PEM certificate or bundle)');
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
      const found = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
      throw new UsageError(
        `${file} holds no PEM certificate${found ? ` (it holds a ${found}; pki inspect reads certificates)` : ''}`,
      );
    }
    let summaries: ReturnType<typeof inspectCertificates>;
    try {
      summaries = inspectCertificates(pem);
    } catch (error) {
      throw new UsageError(`${file}: ${(error as Error).message}`);
    }
    process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    return;
  }
  if (sub === 'import-p12') return runImportP12(rest);
  throw new UsageError(`unknown pki command "${sub ?? ''}" (init, csr, inspect, import-p12)`);
}
