import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevPkiPaths, initDevPki } from '#src/security/pki/index.js';
import {
  createDatabase,
  freePort,
  ManagedProcess,
  postgresAdminUrl,
  type SoakBroker,
  shippedRoutesAt,
  useSharedBroker,
} from '../soak/index.js';

export interface BenchEnvironmentOptions {
  /** `sqlite` (the one-machine default) or `postgres` (a database of its own, made for the run). */
  store: 'sqlite' | 'postgres';
  logLevel: string;
  /** Write V8 CPU profiles of the gateway and the simulator here (node --cpu-prof). */
  profileDir?: string;
  progress: (line: string) => void;
}

export interface BenchEnvironment {
  dir: string;
  pki: DevPkiPaths;
  broker: SoakBroker;
  /** The store setting the gateway was given (the bench reads outcomes from it). */
  storeSetting: string;
  api: string;
  control: string;
  gateway: ManagedProcess;
  simulator: ManagedProcess;
  close(): Promise<void>;
}

/**
 * One gateway process and the simulator as Spine, each a process of its own on loopback, on a
 * RabbitMQ vhost and a store of the bench's own: the shape `npm start` runs, minus the shared process.
 */
export async function startBenchEnvironment(options: BenchEnvironmentOptions): Promise<BenchEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-bench-'));
  const undo: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Best effort: one failure must not keep the rest running.
      }
    }
  };
  try {
    const pki = (await initDevPki({ dir: join(dir, 'pki') })).paths;
    const broker = await useSharedBroker(
      process.env.MHS_BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    );
    undo.push(() => broker.close());
    const storeSetting = await benchStore(options.store, dir, undo);
    const ports = {
      spine: await freePort(),
      control: await freePort(),
      api: await freePort(),
      inbound: await freePort(),
    };
    const routesFile = join(dir, 'routes.json');
    // Signed, as the published figures are (the shipped routes do not sign, as Spine does not).
    const routes = JSON.parse(shippedRoutesAt(ports.spine)) as { defaults: Record<string, unknown> };
    routes.defaults.sign = true;
    writeFileSync(routesFile, JSON.stringify(routes));
    const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    const common = { MHS_DATA_DIR: dir, MHS_ROUTES_FILE: routesFile, MHS_LOGGING_LEVEL: options.logLevel };
    const simulator = new ManagedProcess({
      name: 'simulator',
      args: ['simulate'],
      nodeArgs,
      logFile: join(dir, 'simulator.log'),
      readyUrl: `http://127.0.0.1:${ports.control}/control/faults`,
      env: {
        ...common,
        MHS_SIMULATOR_PORT: String(ports.spine),
        MHS_SIMULATOR_CONTROL_PORT: String(ports.control),
        MHS_SIMULATOR_GATEWAY_INBOUND_URL: `https://localhost:${ports.inbound}/`,
        MHS_SIMULATOR_TLS_CERT: pki.simulatorCert,
        MHS_SIMULATOR_TLS_KEY: pki.simulatorKey,
        MHS_SIMULATOR_TLS_CA: pki.caCert,
        // Spine does not sign its signals (docs/conformance.md); the simulator still verifies ours.
        MHS_SIMULATOR_SIGNING: 'false',
      },
    });
    undo.push(() => simulator.stop());
    await simulator.start();
    const gateway = new ManagedProcess({
      name: 'gateway',
      args: ['start'],
      nodeArgs,
      logFile: join(dir, 'gateway.log'),
      readyUrl: `http://127.0.0.1:${ports.api}/readyz`,
      env: {
        ...common,
        MHS_INSTANCE_ID: 'bench',
        MHS_API_PORT: String(ports.api),
        MHS_API_AUTH_MODE: 'none',
        MHS_INBOUND_PORT: String(ports.inbound),
        MHS_STORE: storeSetting,
        MHS_AMQP_URL: broker.url,
        MHS_TLS_CERT: pki.gatewayCert,
        MHS_TLS_KEY: pki.gatewayKey,
        MHS_TLS_CA: pki.caCert,
      },
    });
    undo.push(() => gateway.stop());
    await gateway.start();
    options.progress(`bench: gateway and simulator ready (${broker.description}; store ${options.store})`);
    return {
      dir,
      pki,
      broker,
      storeSetting,
      api: `http://127.0.0.1:${ports.api}`,
      control: `http://127.0.0.1:${ports.control}`,
      gateway,
      simulator,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function benchStore(
  kind: 'sqlite' | 'postgres',
  dir: string,
  undo: (() => Promise<void> | void)[],
): Promise<string> {
  if (kind === 'sqlite') return `sqlite:${join(dir, 'state.db')}`;
  const database = await createDatabase(postgresAdminUrl());
  undo.push(() => database.remove());
  return database.url;
}
