import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevPkiPaths, initDevPki } from '#src/security/pki/index.js';
import {
  Balancer,
  createDatabase,
  freePort,
  ManagedProcess,
  postgresAdminUrl,
  type SoakBroker,
  shippedRoutesAt,
  useSharedBroker,
} from '../soak/index.js';
import { threadNaming } from './threads.js';

export interface BenchEnvironmentOptions {
  /** `sqlite` (the one-machine default) or `postgres` (a database of its own, made for the run). */
  store: 'sqlite' | 'postgres';
  /** Gateway processes on the same vhost and database (more than one needs `postgres`). */
  instances?: number;
  logLevel: string;
  /** Write V8 CPU profiles of the gateway and the simulator here (node --cpu-prof). */
  profileDir?: string;
  progress: (line: string) => void;
}

export interface BenchGateway {
  process: ManagedProcess;
  /** http://127.0.0.1:<port> of its PAS API. */
  api: string;
  /** Where its threads' names are written (threads.ts). */
  threadLog: string;
}

export interface BenchEnvironment {
  dir: string;
  pki: DevPkiPaths;
  broker: SoakBroker;
  /** The store setting the gateways were given (the bench reads outcomes from it). */
  storeSetting: string;
  gateways: BenchGateway[];
  control: string;
  simulator: ManagedProcess;
  close(): Promise<void>;
}

/**
 * One gateway process (or `instances` of them) and the simulator as Spine, each a process of its own
 * on loopback, on a RabbitMQ vhost and a store of the bench's own: the shape `npm start` runs, minus
 * the shared process. Several instances share the vhost and the PostgreSQL database, as a
 * deployment's do; the simulator, which knows one inbound URL, reaches their inbound endpoints
 * through the soak's TCP balancer, which hands each new connection to the next instance.
 */
export async function startBenchEnvironment(options: BenchEnvironmentOptions): Promise<BenchEnvironment> {
  const instances = options.instances ?? 1;
  if (instances > 1 && options.store !== 'postgres')
    throw new Error('several gateway instances need --store postgres (they share one database)');
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
    const ports = { spine: await freePort(), control: await freePort() };
    const gatewayPorts: { api: number; inbound: number }[] = [];
    for (let i = 0; i < instances; i += 1)
      gatewayPorts.push({ api: await freePort(), inbound: await freePort() });
    // One instance: the simulator posts to it directly; several: to the balancer in front of them.
    const inboundPort = instances === 1 ? gatewayPorts[0]!.inbound : await freePort();
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
        MHS_SIMULATOR_GATEWAY_INBOUND_URL: `https://localhost:${inboundPort}/`,
        MHS_SIMULATOR_TLS_CERT: pki.simulatorCert,
        MHS_SIMULATOR_TLS_KEY: pki.simulatorKey,
        MHS_SIMULATOR_TLS_CA: pki.caCert,
        // Spine does not sign its signals (docs/conformance.md); the simulator still verifies ours.
        MHS_SIMULATOR_SIGNING: 'false',
      },
    });
    undo.push(() => simulator.stop());
    await simulator.start();
    const gateways: BenchGateway[] = gatewayPorts.map((port, i) => {
      const name = instances === 1 ? 'gateway' : `gateway-${i + 1}`;
      const dataDir = instances === 1 ? dir : join(dir, name);
      mkdirSync(dataDir, { recursive: true });
      const threadLog = join(dir, `${name}.threads`);
      const naming = threadNaming(threadLog);
      return {
        api: `http://127.0.0.1:${port.api}`,
        threadLog,
        process: new ManagedProcess({
          name,
          args: ['start'],
          nodeArgs: [...nodeArgs, ...naming.nodeArgs],
          logFile: join(dir, `${name}.log`),
          readyUrl: `http://127.0.0.1:${port.api}/readyz`,
          env: {
            ...common,
            ...naming.env,
            MHS_DATA_DIR: dataDir,
            MHS_INSTANCE_ID: instances === 1 ? 'bench' : `bench-${i + 1}`,
            MHS_API_PORT: String(port.api),
            MHS_API_AUTH_MODE: 'none',
            MHS_INBOUND_PORT: String(port.inbound),
            MHS_STORE: storeSetting,
            MHS_AMQP_URL: broker.url,
            MHS_TLS_CERT: pki.gatewayCert,
            MHS_TLS_KEY: pki.gatewayKey,
            MHS_TLS_CA: pki.caCert,
          },
        }),
      };
    });
    if (instances > 1) {
      const balancer = new Balancer(() =>
        gateways.flatMap((g, i) => (g.process.up ? [gatewayPorts[i]!.inbound] : [])),
      );
      await balancer.listen(inboundPort);
      undo.push(() => balancer.close());
    }
    // One after the other: the first creates the schema and the queues.
    for (const gateway of gateways) {
      undo.push(() => gateway.process.stop());
      await gateway.process.start();
    }
    options.progress(
      `bench: ${instances === 1 ? 'gateway' : `${instances} gateways`} and simulator ready (${broker.description}; store ${options.store})`,
    );
    return {
      dir,
      pki,
      broker,
      storeSetting,
      gateways,
      control: `http://127.0.0.1:${ports.control}`,
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
