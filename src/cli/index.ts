import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type GatewayConfig, loadConfig } from '../config/index.js';
import { startGateway } from '../gateway/index.js';
import { createLogger } from '../ops/index.js';
import { ensureDevPki } from '../security/pki/index.js';
import { startSimulator } from '../simulator/index.js';
import { runApiKey } from './apikey.js';
import { runDlq } from './dlq.js';
import { describeFailure } from './errors.js';
import { runInspect } from './inspect.js';
import { runPki } from './pki.js';
import { runRead } from './read.js';
import { runSign } from './sign.js';
import { runTool } from './tools.js';
import { UsageError } from './usage.js';
import { runValidate } from './validate.js';

const USAGE = `usage: mhs-gateway <command> [options]

  start [--config FILE]          run the gateway
  simulate [--config FILE]       run the Spine / e-RS simulator
  dev [--config FILE]            development PKI on first run, then gateway and simulator
  pki init [--dir DIR] [--force] [--hosts NAME,…]
                                 development CA, gateway and simulator certificates (extra names:
                                 e.g. the compose service names; a leaf lacking one is re-issued)
  pki csr --cn FQDN [--out DIR]  key and certificate signing request for NHS onboarding
  pki inspect FILE               certificate subject, issuer, expiry and chain
  pki import-p12 FILE --out DIR [--password-env VAR]
                                 cert.pem and key.pem from a PKCS#12 file (password from VAR or stdin)
  apikey create NAME [--keys FILE | --config FILE]
                                 new REST API key, printed once; only its hash is stored (in --keys,
                                 else the configured api.auth.keysFile)
  apikey list | revoke NAME [--keys FILE | --config FILE]
  dlq list [--json] [--limit N] | dlq replay ID | dlq discard ID [--reason TEXT]
                                 dead letters (FAILED or UNANSWERED outbound messages): list, send again, give up
  read [mhs.inbound|mhs.referrals] [--count N] [--wait S] [--take] [--json]
                                 print what the PAS reads, leaving it on the queue (--take: take it
                                 off, as a PAS does); stops after N, or S seconds with none (default 2)
  soak [--messages N] [--seed S] [--json]
                                 two instances + simulator under faults, kills and a RabbitMQ restart; JSON summary
  bench [--json] [--messages N] [--concurrency N] [--rate R] [--rate-seconds S] [--inbound N]
        [--store sqlite|postgres] [--log-level L] [--out FILE] [--profile DIR]
                                 load on loopback, beside the transport floor measured in the same run
  inspect FILE [--verify [--trusted CA.pem] [--allow-sha1]] [--content-type CT]
                                 decode a captured message (HTTP request, MIME body or SOAP XML) to JSON;
                                 --verify checks the signature as the inbound endpoint does: references
                                 and digests, RSA-SHA256 (SHA-1 only with --allow-sha1), a signer
                                 issued by --trusted (else tls.ca), valid at eb:Timestamp and now
  validate FILE                  XSD-validate an ebXML/SOAP envelope (root part of a MIME/HTTP capture)
  sign FILE --key K --cert C [--algorithm rsa-sha256|rsa-sha1 --allow-sha1] [--restamp] [--out FILE]
                                 sign an ebXML message as ebMS 2.0 defines it; refuses what --verify
                                 would refuse (SHA-1 without --allow-sha1, a certificate not valid at
                                 eb:Timestamp: --restamp sets it to now)

Configuration: config/default.json, then --config FILE (or MHS_CONFIG), then MHS_* variables.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runGateway(rest);
    case 'simulate':
      return runSimulator(rest);
    case 'dev':
      return runDev(rest);
    case 'pki':
      return runPki(rest);
    case 'apikey':
      return runApiKey(rest);
    case 'dlq':
      return runDlq(rest);
    case 'read':
      return runRead(rest);
    case 'inspect':
      return runInspect(rest);
    case 'soak':
      return runTool('soak', rest);
    case 'bench':
      return runTool('bench', rest);
    case 'validate':
      return runValidate(rest);
    case 'sign':
      return runSign(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "${command}" (see mhs-gateway --help)`);
  }
}

/** The configuration a server command loaded, so a listen failure can name its setting. */
let loadedConfig: GatewayConfig | undefined;

function configFrom(args: string[]): GatewayConfig {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } }, strict: true });
  loadedConfig = loadConfig({ file: values.config });
  return loadedConfig;
}

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

async function runGateway(args: string[]): Promise<void> {
  const gateway = await startGateway(configFrom(args));
  stopOnSignal(() => gateway.close());
}

async function runSimulator(args: string[]): Promise<void> {
  const simulator = await startSimulator(configFrom(args));
  stopOnSignal(() => simulator.close());
}

async function runDev(args: string[]): Promise<void> {
  const base = configFrom(args);
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

main(process.argv.slice(2)).catch((error: unknown) => {
  const failure = describeFailure(error, loadedConfig);
  process.stderr.write(`mhs-gateway: ${failure.line}\n`);
  if (failure.bug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
