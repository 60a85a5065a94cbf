// The server commands: `start`, `simulate` and `dev`, each running until a signal stops it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { GatewayConfig } from '../config/index.js';
import { startGateway } from '../gateway/index.js';
import { createLogger } from '../ops/index.js';
import { ensureDevPki } from '../security/pki/index.js';
import { startSimulator } from '../simulator/index.js';

/** True when the user chose api.auth.mode (variable or config file), so development mode keeps it. */
function authModeConfigured(args: string[]): boolean {
  if (process.env.MHS_API_AUTH_MODE !== undefined) return true;
  const { values } = parseArgs({ args, options: { config: { type: 'string' } }, strict: true });
  const file = values.config ?? process.env.MHS_CONFIG;
  if (!file) return false;
  // configFrom has already read and validated this file.
  const json = JSON.parse(readFileSync(resolve(file), 'utf8')) as { api?: { auth?: { mode?: unknown } } };
  return json.api?.auth?.mode !== undefined;
}

export async function runGateway(config: GatewayConfig): Promise<void> {
  const gateway = await startGateway(config);
  stopOnSignal(() => gateway.close());
}

export async function runSimulator(config: GatewayConfig): Promise<void> {
  const simulator = await startSimulator(config);
  stopOnSignal(() => simulator.close());
}

/** `dev`: `base` is the configuration loaded from `args`. */
export async function runDev(base: GatewayConfig, args: string[]): Promise<void> {
  const pki = await ensureDevPki(resolve(base.dataDir, 'pki'));
  // Development mode always uses the development PKI it generated.
  const config: GatewayConfig = {
    ...base,
    tls: { cert: pki.gatewayCert, key: pki.gatewayKey, ca: pki.caCert },
    simulator: { ...base.simulator, tls: { cert: pki.simulatorCert, key: pki.simulatorKey, ca: pki.caCert } },
    // Development mode opens the API unless the user chose otherwise; `start` never does this.
    api: authModeConfigured(args) ? base.api : { ...base.api, auth: { ...base.api.auth, mode: 'none' } },
    // The e-RS FHIR side runs against the simulator, signing its client assertions with the development key.
    ersFhir: process.env.MHS_ERS_FHIR_ENABLED ? base.ersFhir : devErsFhir(base, pki.gatewayKey),
  };
  const logger = createLogger(config.logging);
  const simulator = await startSimulator(config, { logger, seedReferrals: config.ersFhir.enabled });
  const gateway = await startGateway(config, { logger });
  const api = `http://${config.api.host}:${gateway.apiPort}`;
  process.stderr.write(
    [
      '',
      'mhs-gateway is running (development mode: simulator as Spine, development PKI)',
      `  REST API          ${api}   (POST /, POST /cab/…, GET /messages/{id}; described at /docs)`,
      `  dashboard         ${api}/dashboard   metrics ${api}/metrics   health ${api}/readyz`,
      config.api.auth.mode === 'none'
        ? '  API authentication is OFF (development mode)'
        : `  API keys          ${resolve(config.api.auth.keysFile)}`,
      `  inbound (mTLS)    https://${config.inbound.host}:${gateway.inboundPort}/`,
      `  simulator Spine   https://${config.simulator.host}:${simulator.spinePort}/   control http://${config.simulator.controlHost}:${simulator.controlPort}/control/`,
      `  certificates      ${pki.dir}`,
      `  RabbitMQ          ${config.amqp.url.replace(/\/\/[^@]*@/, '//***@')}   (PAS queue: mhs.inbound)`,
      '',
      `Start a slot poll from e-RS:  curl -s -X POST http://${config.simulator.controlHost}:${simulator.controlPort}/control/slot-polls`,
      'See what the PAS reads:       npx mhs-gateway read',
      '',
    ].join('\n'),
  );
  stopOnSignal(async () => {
    await gateway.close();
    await simulator.close();
  });
}

/** Development mode's e-RS FHIR side: on, against this process's simulator (its control port), signing with the development key. */
function devErsFhir(base: GatewayConfig, key: string): GatewayConfig['ersFhir'] {
  const simulator = `http://${base.simulator.controlHost}:${base.simulator.controlPort}`;
  return {
    ...base.ersFhir,
    enabled: true,
    baseUrl: `${simulator}/referrals/FHIR`,
    tokenUrl: `${simulator}/oauth2/token`,
    privateKeyFile: key,
  };
}

function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
