import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '#src/config/index.js';
import { initDevPki } from '#src/security/pki/index.js';
import { Balancer } from './balancer.js';
import type { GatewayInstance } from './gateways.js';
import { freePort } from './ports.js';
import { createDatabase, postgresAdminUrl, type SoakDatabase } from './postgres.js';
import { ManagedProcess } from './processes.js';
import { type SoakBroker, startOwnBroker, useSharedBroker } from './rabbitmq.js';

/** The interactions the soak sends, and the short reliability they get so faults resolve within the run. */
const SENT_INTERACTIONS = [
  'PRSC_IN090000UK09',
  'PRSC_IN100000UK06',
  'PRSC_IN050000UK06',
  'PRSC_IN060000UK06',
  'PRSC_IN140000UK06',
  'PRSC_IN150000UK06',
  'REPC_IN150016UK05',
];
export const SOAK_RELIABILITY = { retryInterval: 'PT1S', retries: 6, persistDuration: 'PT60S' };
/** Short enough that a send interrupted by a kill is taken up again within the route's resend window. */
const REQUEST_TIMEOUT_MS = 3_000;

export interface SoakEnvironment {
  dir: string;
  broker: SoakBroker;
  database: SoakDatabase;
  simulator: ManagedProcess;
  control: string;
  gateways: GatewayInstance[];
  balancer: Balancer;
  /** Stops everything it started, in reverse order; safe to call twice. */
  close(options?: { keepDir?: boolean }): Promise<void>;
}

/**
 * Everything one soak run needs, all of its own: a temp folder, a development PKI, RabbitMQ (its
 * own node by default, else a vhost on the shared one), a PostgreSQL database shared by two gateway
 * instances, the simulator as e-RS/Spine, and a load balancer in front of the inbound ports.
 */
export async function startEnvironment(options: {
  brokerMode: 'own' | 'shared';
  instances: number;
  progress: (line: string) => void;
}): Promise<SoakEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-soak-'));
  const logLevel = process.env.MHS_SOAK_LOG_LEVEL ?? 'warn';
  const undo: (() => Promise<void> | void)[] = [];
  let closed = false;
  /** Keep the folder and the database, to look into a failed run. */
  let keep = false;
  const close = async (closeOptions: { keepDir?: boolean } = {}) => {
    if (closed) return;
    closed = true;
    keep = closeOptions.keepDir === true;
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // Best effort: one failure must not keep the rest running.
      }
    }
    if (!closeOptions.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pki = (await initDevPki({ dir: join(dir, 'pki') })).paths;
    options.progress(`soak: folder ${dir}`);
    const broker =
      options.brokerMode === 'own'
        ? await startOwnBroker(dir)
        : await useSharedBroker(process.env.MHS_SOAK_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
    undo.push(() => broker.close());
    options.progress(`soak: RabbitMQ ${broker.description}`);
    const database = await createDatabase(postgresAdminUrl());
    undo.push(() => (keep ? options.progress(`soak: kept database ${database.url}`) : database.remove()));
    options.progress(`soak: PostgreSQL database ${database.name}`);
    const ports = { spine: await freePort(), control: await freePort(), balancer: await freePort() };
    const routesFile = join(dir, 'routes.json');
    writeFileSync(routesFile, routesFor(ports.spine));
    const simulator = new ManagedProcess({
      name: 'simulator',
      args: ['simulate'],
      logFile: join(dir, 'simulator.log'),
      readyUrl: `http://127.0.0.1:${ports.control}/control/faults`,
      env: {
        MHS_DATA_DIR: dir,
        MHS_ROUTES_FILE: routesFile,
        MHS_LOGGING_LEVEL: logLevel,
        MHS_OUTBOUND_REQUEST_TIMEOUT_MS: '10000',
        MHS_SIMULATOR_PORT: String(ports.spine),
        MHS_SIMULATOR_CONTROL_PORT: String(ports.control),
        MHS_SIMULATOR_GATEWAY_INBOUND_URL: `https://localhost:${ports.balancer}/`,
        MHS_SIMULATOR_TLS_CERT: pki.simulatorCert,
        MHS_SIMULATOR_TLS_KEY: pki.simulatorKey,
        MHS_SIMULATOR_TLS_CA: pki.caCert,
      },
    });
    undo.push(() => simulator.stop());
    await simulator.start();
    const gateways: GatewayInstance[] = [];
    const balancer = new Balancer(() => gateways.filter((g) => g.process.up).map((g) => g.inboundPort));
    await balancer.listen(ports.balancer);
    undo.push(() => balancer.close());
    for (let i = 1; i <= options.instances; i += 1) {
      const name = `soak-gw-${i}`;
      const apiPort = await freePort();
      const inboundPort = await freePort();
      const dataDir = join(dir, name);
      mkdirSync(dataDir);
      const child = new ManagedProcess({
        name,
        args: ['start'],
        logFile: join(dir, `${name}.log`),
        readyUrl: `http://127.0.0.1:${apiPort}/readyz`,
        env: {
          MHS_INSTANCE_ID: name,
          MHS_DATA_DIR: dataDir,
          MHS_API_PORT: String(apiPort),
          MHS_API_AUTH_MODE: 'none',
          MHS_INBOUND_PORT: String(inboundPort),
          MHS_STORE: database.url,
          MHS_AMQP_URL: broker.url,
          MHS_TLS_CERT: pki.gatewayCert,
          MHS_TLS_KEY: pki.gatewayKey,
          MHS_TLS_CA: pki.caCert,
          MHS_ROUTES_FILE: routesFile,
          MHS_LOGGING_LEVEL: logLevel,
          MHS_OUTBOUND_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
          MHS_OUTBOUND_SWEEP_INTERVAL_MS: '2000',
          MHS_OUTBOUND_SWEEPER_ACCEPTED_GRACE_MS: '15000',
          MHS_OUTBOUND_SWEEPER_RETRY_GRACE_MS: '5000',
        },
      });
      undo.push(() => child.stop());
      gateways.push({ name, apiPort, inboundPort, process: child });
    }
    // Started one after the other: the first creates the schema and the queues.
    for (const gateway of gateways) await gateway.process.start();
    options.progress(`soak: simulator and ${gateways.length} gateway instances ready (logs in ${dir})`);
    return {
      dir,
      broker,
      database,
      simulator,
      control: `http://127.0.0.1:${ports.control}`,
      gateways,
      balancer,
      close,
    };
  } catch (error) {
    await close({ keepDir: true });
    throw error;
  }
}

/** config/routes.json with its simulator endpoints moved to a simulator on `spinePort`. */
export function shippedRoutesAt(spinePort: number): string {
  return readFileSync(join(packageRoot, 'config', 'routes.json'), 'utf8').replaceAll(
    'https://localhost:9443/',
    `https://localhost:${spinePort}/`,
  );
}

/**
 * The shipped routes, pointed at this run's simulator, with short retries on what the soak sends,
 * and signed: the figures are for signed messages (the shipped routes do not sign, as Spine does not).
 */
function routesFor(spinePort: number): string {
  const routes = JSON.parse(shippedRoutesAt(spinePort)) as {
    defaults: Record<string, unknown>;
    routes: Record<string, Record<string, unknown>>;
  };
  routes.defaults.sign = true;
  for (const id of SENT_INTERACTIONS)
    routes.routes[id] = { ...routes.routes[id], reliability: SOAK_RELIABILITY };
  return JSON.stringify(routes, null, 2);
}
