// Each command's module is loaded only when it runs: `inspect` or `read` start in a fraction of
// the time the whole gateway takes to load.
import { parseArgs } from 'node:util';
import { type GatewayConfig, loadConfig } from '../config/index.js';
import { describeFailure } from './errors.js';
import { UsageError } from './usage.js';

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
      return (await import('./servers.js')).runGateway(configFrom(rest));
    case 'simulate':
      return (await import('./servers.js')).runSimulator(configFrom(rest));
    case 'dev':
      return (await import('./servers.js')).runDev(configFrom(rest), rest);
    case 'pki':
      return (await import('./pki.js')).runPki(rest);
    case 'apikey':
      return (await import('./apikey.js')).runApiKey(rest);
    case 'dlq':
      return (await import('./dlq.js')).runDlq(rest);
    case 'read':
      return (await import('./read.js')).runRead(rest);
    case 'inspect':
      return (await import('./inspect.js')).runInspect(rest);
    case 'soak':
      return (await import('./tools.js')).runTool('soak', rest);
    case 'bench':
      return (await import('./tools.js')).runTool('bench', rest);
    case 'validate':
      return (await import('./validate.js')).runValidate(rest);
    case 'sign':
      return (await import('./sign.js')).runSign(rest);
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

main(process.argv.slice(2)).catch((error: unknown) => {
  const failure = describeFailure(error, loadedConfig);
  process.stderr.write(`mhs-gateway: ${failure.line}\n`);
  if (failure.bug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
