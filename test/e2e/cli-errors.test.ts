import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { createTestVhost, type TestVhost } from '../support/rabbitmq.js';

const bin = join(packageRoot, 'bin', 'mhs-gateway.js');

/**
 * The README's promise, command by command: a bad argument (or file, or busy port) prints exactly
 * one line, `mhs-gateway: …`, on stderr and exits 1 — never a stack trace.
 */
describe('every command fails in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-cli-errors-'));
  const pki = join(dir, 'pki');
  let vhost: TestVhost;
  let busy: Server;
  let busyPort = 0;

  beforeAll(async () => {
    vhost = createTestVhost();
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
    expect(run(['pki', 'init', '--dir', pki]).status).toBe(0);
    expect(run(['pki', 'csr', '--cn', 'x.example', '--out', dir]).status).toBe(0);
    expect(run(['apikey', 'create', 'pas']).status).toBe(0); // `start` needs a key before it listens
    writeFileSync(join(dir, 'not-json.json'), '{bad');
    writeFileSync(join(dir, 'a-file'), 'not a directory');
  }, 60_000);
  afterAll(() => {
    busy?.close();
    vhost?.remove();
  });

  /** Servers get port 0 (any free port) unless a case takes one, so no case meets another's port. */
  function run(args: string[], env: Record<string, string> = {}) {
    return spawnSync(process.execPath, [bin, ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        MHS_API_PORT: '0',
        MHS_INBOUND_PORT: '0',
        MHS_SIMULATOR_PORT: '0',
        MHS_SIMULATOR_CONTROL_PORT: '0',
        MHS_AMQP_URL: vhost.url,
        MHS_LOGGING_LEVEL: 'silent',
        MHS_TLS_CERT: join(pki, 'gateway.pem'),
        MHS_TLS_KEY: join(pki, 'gateway.key'),
        MHS_TLS_CA: join(pki, 'ca.pem'),
        MHS_SIMULATOR_TLS_CERT: join(pki, 'simulator.pem'),
        MHS_SIMULATOR_TLS_KEY: join(pki, 'simulator.key'),
        MHS_SIMULATOR_TLS_CA: join(pki, 'ca.pem'),
        ...env,
      },
    });
  }

  const port = () => String(busyPort);
  // [command line, environment, what the one line must say]
  const cases: [string[], () => Record<string, string>, RegExp][] = [
    [['frobnicate'], () => ({}), /unknown command "frobnicate"/],
    [['start', '--bogus'], () => ({}), /Unknown option '--bogus'$/],
    [['start', '--config', 'missing.json'], () => ({}), /missing\.json cannot be read: ENOENT/],
    [
      ['start'],
      () => ({ MHS_API_PORT: port() }),
      /already in use; choose another with api\.port \(MHS_API_PORT\)$/,
    ],
    [
      ['start'],
      () => ({ MHS_INBOUND_PORT: port() }),
      /already in use; choose another with inbound\.port \(MHS_INBOUND_PORT\)$/,
    ],
    [['simulate', '--bogus'], () => ({}), /Unknown option '--bogus'$/],
    [
      ['simulate'],
      () => ({ MHS_SIMULATOR_CONTROL_PORT: port() }),
      /choose another with simulator\.controlPort \(MHS_SIMULATOR_CONTROL_PORT\)$/,
    ],
    [['simulate'], () => ({ MHS_SIMULATOR_PORT: port() }), /simulator\.port \(MHS_SIMULATOR_PORT\)$/],
    [['dev', '--config', 'not-json.json'], () => ({}), /not-json\.json is not valid JSON/],
    [['pki'], () => ({}), /unknown pki command ""/],
    [['pki', 'init', '--hosts', 'bad name!'], () => ({}), /--hosts: bad name! is not a host name/],
    [['pki', 'csr'], () => ({}), /pki csr needs --cn FQDN/],
    [
      ['pki', 'csr', '--cn', 'y.example', '--out', 'a-file/keys'],
      () => ({}),
      /cannot mkdir .*a-file.*\((ENOTDIR|EEXIST)\)$/,
    ],
    [
      ['pki', 'inspect', 'x.example.csr'],
      () => ({}),
      /holds no PEM certificate \(it holds a CERTIFICATE REQUEST/,
    ],
    [['pki', 'inspect', 'missing.pem'], () => ({}), /cannot read missing\.pem: ENOENT/],
    [
      ['pki', 'import-p12', 'missing.p12', '--out', 'p12', '--password-env', 'P12_PASSWORD'],
      () => ({ P12_PASSWORD: 'x' }),
      /cannot read missing\.p12: ENOENT/,
    ],
    [['apikey'], () => ({}), /unknown apikey command ""/],
    [['apikey', 'create', 'bad name!'], () => ({}), /API key name bad name! must be/],
    [['apikey', 'list', '--config', 'missing.json'], () => ({}), /missing\.json cannot be read: ENOENT/],
    [['apikey', 'list', '--config', 'not-json.json'], () => ({}), /not-json\.json is not valid JSON/],
    [['apikey', 'revoke', 'nobody', '--keys', 'keys.json'], () => ({}), /no API key named nobody/],
    [['dlq', 'list', '--bogus'], () => ({}), /Unknown option '--bogus'$/],
    [['dlq', 'replay'], () => ({}), /dlq replay needs exactly one message ID/],
    [['dlq', 'discard'], () => ({}), /dlq discard needs exactly one message ID/],
    [['read', '--bogus'], () => ({}), /Unknown option '--bogus'$/],
    [
      ['read', 'mhs.signals'],
      () => ({}),
      /read takes a queue the PAS reads \(mhs\.inbound, mhs\.referrals\)/,
    ],
    [['read', '--count', '0'], () => ({}), /--count must be a whole number of at least 1$/],
    [['read', '--wait', 'soon'], () => ({}), /--wait must be a whole number of at least 1$/],
    [
      ['read'],
      () => ({ MHS_AMQP_URL: 'amqp://guest:guest@127.0.0.1:1/' }),
      /RabbitMQ not reachable within 5000 ms$/,
    ],
    [['soak', '--messages', '0'], () => ({}), /--messages must be a whole number/],
    [['bench', '--store', 'mongo'], () => ({}), /--store must be sqlite or postgres/],
    [['inspect', 'missing.xml'], () => ({}), /cannot read missing\.xml: ENOENT/],
    [['inspect', '--bogus'], () => ({}), /Unknown option '--bogus'$/],
    [['validate', 'missing.xml'], () => ({}), /cannot read missing\.xml: ENOENT/],
    [['sign', 'missing.xml'], () => ({}), /sign needs --key KEY\.pem and --cert CERT\.pem/],
    [
      ['sign', 'missing.xml', '--key', 'k', '--cert', 'c', '--algorithm', 'md5'],
      () => ({}),
      /--algorithm md5/,
    ],
  ];

  it.each(cases)('%j', (args, env, expected) => {
    const result = run(args, env());
    expect(result.status, result.stderr).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines, result.stderr).toHaveLength(2); // one line and its line break
    expect(lines[0]).toMatch(/^mhs-gateway: /);
    expect(lines[0]).toMatch(expected);
    expect(lines[1]).toBe('');
  });

  it('covers every command the help lists', () => {
    const help = run(['--help']).stdout;
    const commands = new Set(
      [...help.matchAll(/^ {2}([a-z][a-z0-9-]*)(?: ([a-z][a-z0-9-]*))?/gm)].map(([, command]) => command),
    );
    const covered = new Set(cases.map(([args]) => args[0]));
    expect(commands.size).toBeGreaterThan(10);
    for (const command of commands) expect(covered, `no bad-argument case for ${command}`).toContain(command);
    // Each subcommand the help names, too.
    for (const [command, subs] of [
      ['pki', ['init', 'csr', 'inspect', 'import-p12']],
      ['apikey', ['create', 'list', 'revoke']],
      ['dlq', ['list', 'replay', 'discard']],
    ] as const) {
      for (const sub of subs) {
        expect(help).toContain(`${command === 'apikey' && sub !== 'create' ? '' : `${command} `}${sub}`);
        expect(
          cases.some(([args]) => args[0] === command && args[1] === sub),
          `${command} ${sub}`,
        ).toBe(true);
      }
    }
  });
});
