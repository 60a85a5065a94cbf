import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort, portOpen } from './ports.js';

const run = promisify(execFile);

/** The RabbitMQ the soak's gateways use: a vhost of its own, and a way to restart the broker under them. */
export interface SoakBroker {
  /** amqp:// URL of the soak's vhost. */
  url: string;
  /** Says which node this is, for the summary. */
  description: string;
  /** Stops and starts the RabbitMQ application (every connection drops, queues go down and come back). */
  restart(pauseMs: number): Promise<{ downMs: number }>;
  close(): Promise<void>;
}

async function rabbitmqctl(args: string[], node?: string, timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run('rabbitmqctl', [...(node ? ['-n', node] : []), '-q', ...args], {
    timeout: timeoutMs,
  });
  return stdout;
}

async function addVhost(name: string, node?: string): Promise<void> {
  await rabbitmqctl(['add_vhost', name], node);
  await rabbitmqctl(['set_permissions', '-p', name, 'guest', '.*', '.*', '.*'], node);
}

function vhostUrl(base: string, vhost: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

async function restartApp(node: string | undefined, pauseMs: number): Promise<{ downMs: number }> {
  const started = Date.now();
  await rabbitmqctl(['stop_app'], node);
  await sleep(pauseMs);
  await rabbitmqctl(['start_app'], node);
  return { downMs: Date.now() - started };
}

/**
 * A RabbitMQ node of the soak's own (own port, own data directory), so restarting it touches no
 * one else's tests. Needs rabbitmq-server on PATH and either root (the node runs as the rabbitmq
 * user, sharing its Erlang cookie with rabbitmqctl) or the rabbitmq user itself.
 */
export async function startOwnBroker(dir: string): Promise<SoakBroker> {
  const node = `mhs-soak-${process.pid}-${randomBytes(2).toString('hex')}@localhost`;
  const port = await freePort();
  const distPort = await freePort();
  const base = join(dir, 'rabbitmq');
  mkdirSync(base, { recursive: true, mode: 0o755 });
  writeFileSync(join(base, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\n`);
  writeFileSync(join(base, 'enabled_plugins'), '[].\n');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'rabbitmq']);
    const uid = Number(stdout.trim());
    const { stdout: gidOut } = await run('id', ['-g', 'rabbitmq']);
    const gid = Number(gidOut.trim());
    chmodSync(dir, 0o711); // the rabbitmq user must reach its folder, not read ours
    for (const path of [base, join(base, 'rabbitmq.conf'), join(base, 'enabled_plugins')])
      chownSync(path, uid, gid);
  }
  const log = openSync(join(dir, 'rabbitmq.log'), 'a');
  const child: ChildProcess = spawn('rabbitmq-server', [], {
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      RABBITMQ_NODENAME: node,
      RABBITMQ_CONF_ENV_FILE: '/dev/null',
      RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
      RABBITMQ_LOG_BASE: join(base, 'log'),
      RABBITMQ_DIST_PORT: String(distPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    },
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stopNode = async () => {
    if (!exited) await rabbitmqctl(['stop'], node, 30_000).catch(() => undefined);
    for (let i = 0; i < 50 && !exited; i += 1) await sleep(200);
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  try {
    const deadline = Date.now() + 60_000;
    while (!(await portOpen(port))) {
      if (exited) throw new Error(`rabbitmq-server exited at start-up (see ${join(dir, 'rabbitmq.log')})`);
      if (Date.now() > deadline)
        throw new Error(`RabbitMQ node ${node} did not open port ${port} within 60 s`);
      await sleep(250);
    }
    await rabbitmqctl(['await_startup'], node);
    const vhost = 'mhs-soak';
    await addVhost(vhost, node);
    return {
      url: vhostUrl(`amqp://guest:guest@127.0.0.1:${port}`, vhost),
      description: `own node ${node} on 127.0.0.1:${port}`,
      restart: (pauseMs) => restartApp(node, pauseMs),
      close: stopNode,
    };
  } catch (error) {
    await stopNode();
    throw error;
  }
}

/**
 * The machine's RabbitMQ (MHS_SOAK_AMQP_URL, default guest@127.0.0.1:5672) with a vhost of the
 * soak's own. Its restart is a real restart of the whole node: nothing else may use the broker
 * meanwhile.
 */
export async function useSharedBroker(baseUrl: string): Promise<SoakBroker> {
  const vhost = `mhs-soak-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    await addVhost(vhost);
  } catch (error) {
    throw new Error(
      `cannot create RabbitMQ vhost ${vhost} with rabbitmqctl: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return {
    url: vhostUrl(baseUrl, vhost),
    description: `shared node at ${new URL(baseUrl).host}, vhost ${vhost}`,
    restart: async (pauseMs) => {
      try {
        return await restartApp(undefined, pauseMs);
      } finally {
        // Whatever happened, leave the machine's broker running.
        await rabbitmqctl(['start_app']).catch(() => undefined);
      }
    },
    close: async () => {
      await rabbitmqctl(['delete_vhost', vhost]).catch(() => undefined);
    },
  };
}
