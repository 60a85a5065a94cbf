import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GatewayConfig, loadConfig, packageRoot } from '../../src/config/index.js';
import type { HttpMessage } from '../../src/ebxml/index.js';
import { type RunningGateway, startGateway } from '../../src/gateway/index.js';
import type { Logger } from '../../src/ops/index.js';
import { Broker, type Delivery, type PasMessage, parsePasMessage, QUEUES } from '../../src/queue/index.js';
import { type DevPkiPaths, initDevPki } from '../../src/security/pki/index.js';
import { TlsContext } from '../../src/security/tls/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { MtlsClient, type TransportResponse } from '../../src/transport/index.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase } from '../support/postgres.js';
import { createTestVhost, type TestVhost } from '../support/rabbitmq.js';

export const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface Harness {
  dir: string;
  config: GatewayConfig;
  gateway: RunningGateway;
  gateways: RunningGateway[];
  simulator: RunningSimulator;
  vhost: TestVhost;
  apis: string[];
  /** Graceful restart of one instance, on the same ports and configuration. */
  restart(index: number): Promise<void>;
  pas: PasClient;
  api: string;
  control: string;
  close(): Promise<void>;
}

/** Gateway + simulator in this process, over real mutual TLS, RabbitMQ and signatures. */
export interface HarnessOptions {
  /** Extra MHS_* settings. */
  env?: Record<string, string>;
  /** The gateways' logger (default: from the configuration, silent unless E2E_LOG_LEVEL is set). */
  logger?: Logger;
  /** Extra MHS_* settings that depend on the generated development PKI (e.g. certificate fingerprints). */
  envFromPki?: (pki: DevPkiPaths) => Record<string, string>;
  /** Extra MHS_* settings that depend on this run's ports (e.g. URLs on the simulator's control port). */
  envFromPorts?: (ports: {
    api: number;
    inbound: number;
    spine: number;
    control: number;
  }) => Record<string, string>;
  /**
   * Gateway instances sharing RabbitMQ and the store (PostgreSQL when more than one); the simulator
   * sends to the first. `gateway` and `api` are the first; `gateways` and `apis` hold them all.
   */
  instances?: number;
  /** Adjusts the routes file (its `defaults` and `routes`) before the gateway reads it. */
  routes?: (routes: {
    defaults: Record<string, unknown>;
    routes: Record<string, Record<string, unknown>>;
  }) => void;
  /**
   * Adjusts a copy of the routes file that only the gateways read (after `routes`); the simulator
   * (Spine, e-RS and SDS) keeps the other. For tests where the gateway's static routes are wrong.
   */
  gatewayRoutes?: (routes: {
    defaults: Record<string, unknown>;
    routes: Record<string, Record<string, unknown>>;
  }) => void;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-e2e-'));
  // Free ports and a vhost of our own: concurrent test runs (or a running `npm start`) never collide.
  const PORTS = {
    api: await freePort(),
    inbound: await freePort(),
    spine: await freePort(),
    control: await freePort(),
  };
  const vhost = createTestVhost();
  // E2E_STORE=postgres runs the same suites against a PostgreSQL database of this run's own.
  const instances = options.instances ?? 1;
  const database =
    process.env.E2E_STORE === 'postgres' || instances > 1 ? await createTestDatabase() : undefined;
  const store = database ? database.url : `sqlite:${join(dir, 'state.db')}`;
  const pki = await initDevPki({ dir: join(dir, 'pki') });
  const routesFile = join(dir, 'routes.json');
  const routes = JSON.parse(readFileSync(join(packageRoot, 'config', 'routes.json'), 'utf8'));
  // Every route points at this run's simulator; tests may then adjust routes (e.g. short retry intervals).
  const text = JSON.stringify(routes).replaceAll(
    'https://localhost:9443/',
    `https://localhost:${PORTS.spine}/`,
  );
  const adjusted = JSON.parse(text);
  options.routes?.(adjusted);
  writeFileSync(routesFile, JSON.stringify(adjusted));
  const gatewayRoutesFile = options.gatewayRoutes ? join(dir, 'gateway-routes.json') : routesFile;
  if (options.gatewayRoutes) {
    const forGateway = structuredClone(adjusted);
    options.gatewayRoutes(forGateway);
    writeFileSync(gatewayRoutesFile, JSON.stringify(forGateway));
  }
  const config = loadConfig({
    env: {
      MHS_DATA_DIR: dir,
      MHS_AMQP_URL: vhost.url,
      MHS_STORE: store,
      MHS_API_PORT: String(PORTS.api),
      MHS_API_AUTH_MODE: 'none',
      MHS_INBOUND_PORT: String(PORTS.inbound),
      MHS_TLS_CERT: pki.paths.gatewayCert,
      MHS_TLS_KEY: pki.paths.gatewayKey,
      MHS_TLS_CA: pki.paths.caCert,
      MHS_ROUTES_FILE: routesFile,
      MHS_INTERACTIONS_FILE: join(packageRoot, 'config', 'interactions.json'),
      MHS_LOGGING_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
      MHS_SIMULATOR_PORT: String(PORTS.spine),
      MHS_SIMULATOR_CONTROL_PORT: String(PORTS.control),
      MHS_SIMULATOR_GATEWAY_INBOUND_URL: `https://localhost:${PORTS.inbound}/`,
      MHS_SIMULATOR_TLS_CERT: pki.paths.simulatorCert,
      MHS_SIMULATOR_TLS_KEY: pki.paths.simulatorKey,
      MHS_SIMULATOR_TLS_CA: pki.paths.caCert,
      ...options.env,
      ...options.envFromPki?.(pki.paths),
      ...options.envFromPorts?.(PORTS),
    },
  });
  const started: { close(): Promise<void> }[] = [];
  const gateways: RunningGateway[] = [];
  const configs: GatewayConfig[] = [];
  try {
    started.push(await PasClient.connect(config.amqp.url));
    started.push(await startSimulator(config));
    for (let i = 0; i < instances; i += 1) {
      // Further instances take ports of their own; everything else is shared.
      const own =
        i === 0
          ? config
          : {
              ...config,
              routesFile: gatewayRoutesFile,
              instanceId: `gw-${i}`,
              api: { ...config.api, port: await freePort() },
              inbound: { ...config.inbound, port: await freePort() },
            };
      const instanceConfig = i === 0 ? { ...config, instanceId: 'gw-0', routesFile: gatewayRoutesFile } : own;
      configs.push(instanceConfig);
      const gateway = await startGateway(instanceConfig, options.logger ? { logger: options.logger } : {});
      gateways.push(gateway);
      started.push(gateway);
    }
  } catch (error) {
    for (const part of started.reverse()) await part.close().catch(() => undefined);
    vhost.remove();
    await database?.remove();
    throw error;
  }
  const [pas, simulator] = started as [PasClient, RunningSimulator];
  const gateway = gateways[0]!;
  return {
    dir,
    config,
    gateway,
    gateways,
    simulator,
    pas,
    vhost,
    api: `http://127.0.0.1:${gateway.apiPort}`,
    apis: gateways.map((g) => `http://127.0.0.1:${g.apiPort}`),
    control: `http://127.0.0.1:${simulator.controlPort}`,
    restart: async (index: number) => {
      await gateways[index]!.close();
      gateways[index] = await startGateway(configs[index]!, options.logger ? { logger: options.logger } : {});
    },
    close: async () => {
      for (const g of gateways) await g.close();
      await simulator.close();
      await pas.close();
      vhost.remove();
      await database?.remove();
    },
  };
}

export interface PasDelivery extends Delivery {
  /** The body, read by the mhs.inbound contract (a malformed one fails the consumer, as it would a PAS). */
  json: PasMessage & { data: Record<string, unknown> };
}

/** A stand-in PAS: reads mhs.inbound and keeps everything it saw. */
export class PasClient {
  readonly received: PasDelivery[] = [];

  private constructor(private readonly broker: Broker) {}

  static async connect(url: string): Promise<PasClient> {
    const broker = new Broker(url, { instanceId: `pas-test-${process.pid}`, logger: quietLogger });
    await broker.start();
    const client = new PasClient(broker);
    await broker.consume(QUEUES.inbound, async (delivery) => {
      const json = parsePasMessage(delivery.body) as PasDelivery['json'];
      client.received.push({ ...delivery, json });
      return 'ack';
    });
    return client;
  }

  async waitFor(
    predicate: (delivery: PasDelivery) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<PasDelivery> {
    const found = await eventually(() => this.received.find(predicate), timeoutMs);
    if (!found)
      throw new Error(
        `PAS never received ${what}; it saw ${JSON.stringify(this.received.map((d) => [d.headers.kind, d.type, d.messageId]))}`,
      );
    return found;
  }

  close(): Promise<void> {
    return this.broker.close();
  }
}

export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await sleep(50);
  }
  return undefined;
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

/**
 * e-RS polls for slots (the simulator's control API), the PAS reads the poll from mhs.inbound and
 * answers it with one slot. Returns the poll's messageId and the gateway's answer to the PAS.
 */
export async function answerSlotPoll(
  h: Pick<Harness, 'api' | 'control' | 'pas'>,
  clinicId: string,
  headers: Record<string, string> = {},
): Promise<{ pollId: string; answer: Awaited<ReturnType<typeof postJson>> }> {
  const poll = (await postJson(`${h.control}/control/slot-polls`, { clinicId })).body as {
    messageId: string;
  };
  await h.pas.waitFor((d) => d.messageId === poll.messageId, 'the slot poll');
  const answer = await postJson(
    `${h.api}/cab/slot-responses`,
    {
      inResponseTo: poll.messageId,
      slots: [{ usrn: randomUUID(), start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:15:00Z' }],
    },
    headers,
  );
  return { pollId: poll.messageId, answer };
}

/** Waits until GET /messages/{id} reports `status`; returns the message. */
export async function waitForStatus(
  api: string,
  messageId: string,
  status: string,
  timeoutMs = 15_000,
): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  const found = await eventually(async () => {
    last = (await getJson(`${api}/messages/${messageId}`)).body;
    return last.status === status ? last : undefined;
  }, timeoutMs);
  if (!found)
    throw new Error(`message ${messageId} never reached ${status}; last seen ${JSON.stringify(last)}`);
  return found;
}

/** POSTs a message to the gateway's inbound endpoint as the simulator would (its client certificate). */
export async function sendInbound(h: Harness, message: HttpMessage): Promise<TransportResponse> {
  const tls = new TlsContext(h.config.simulator.tls);
  const client = new MtlsClient(tls, 10_000);
  try {
    return await client.post(`https://localhost:${h.gateway.inboundPort}/`, message);
  } finally {
    client.close();
  }
}

/** The simulator's control API, typed loosely. */
export async function putFaults(h: Harness, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${h.control}/control/faults`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (response.status !== 200) throw new Error(`PUT /control/faults answered ${response.status}`);
}

export async function simulatorMessages(h: Harness): Promise<Record<string, unknown>[]> {
  return (await getJson(`${h.control}/control/messages`)).body.messages as Record<string, unknown>[];
}
