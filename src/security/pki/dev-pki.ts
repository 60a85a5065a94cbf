// The development PKI behind `pki init` and `dev`: one CA, a gateway and a simulator certificate.
// Never for production: production certificates come from NHS onboarding (see csr.ts).
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { issueCa, issueLeaf, validityFrom } from './certificates.js';
import { DEFAULT_KEY_BITS, generateRsaKey, type RsaKey, rsaKeyFromPem } from './keys.js';
import { type DevPkiPaths, devPkiPaths } from './paths.js';

export interface InitOptions {
  dir: string;
  /** Host name in the gateway certificate; default 'localhost'. */
  gatewayHost?: string;
  /** Host name in the simulator certificate; default 'localhost'. */
  simulatorHost?: string;
  /**
   * More names for both certificates' subjectAltName, e.g. the docker compose service names
   * (`gateway-1`, `simulator`), so peers that call each other by those names verify them.
   */
  hosts?: readonly string[];
  /** Lifetime of the leaf certificates; default 825 days (the CA/Browser Forum ceiling). */
  validDays?: number;
  /** Replace existing files (a new CA: every peer must trust it again). */
  force?: boolean;
  keyBits?: number;
}

const DEFAULT_VALID_DAYS = 825;
/** The CA outlives its leaves so re-issuing a leaf never needs a new trust anchor. */
const MIN_CA_VALID_DAYS = 3650;
/** Each development CA gets its own name, so trusting two of them never confuses chain building. */
const caCommonName = () => `mhs-gateway development CA ${randomBytes(4).toString('hex')}`;

/** Writes via a temporary file and a rename, so a TLS reload never reads half a file. */
function writeAtomic(file: string, content: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode); // the umask may have narrowed or an old file may have kept another mode
  renameSync(temporary, file);
}

const haveBoth = (a: string, b: string) => existsSync(a) && existsSync(b);

/** Whether the certificate in `file` names every host (IP addresses too), so it need not be re-issued. */
function namesEvery(file: string, hosts: readonly string[]): boolean {
  const certificate = new X509Certificate(readFileSync(file));
  return hosts.every((host) =>
    isIP(host) ? certificate.checkIP(host) !== undefined : certificate.checkHost(host) !== undefined,
  );
}

/**
 * Creates a development CA and two leaf certificates (gateway, simulator) signed by it, each with
 * subjectAltName DNS:<host>, the extra `hosts`, DNS:localhost, IP:127.0.0.1 and extKeyUsage
 * serverAuth+clientAuth. Existing files are kept unless `force`; a missing leaf pair, or one that
 * does not name every extra host, is issued from the existing CA.
 * `created` is true when any file was written, `written` names them, `newCa` says whether the CA
 * was one of them. Keys are written with mode 0600.
 */
export async function initDevPki(
  options: InitOptions,
): Promise<{ created: boolean; newCa: boolean; written: string[]; paths: DevPkiPaths }> {
  const paths = devPkiPaths(options.dir);
  const force = options.force ?? false;
  const keyBits = options.keyBits ?? DEFAULT_KEY_BITS;
  const hosts = options.hosts ?? [];
  const validDays = options.validDays ?? DEFAULT_VALID_DAYS;
  if (!(validDays > 0)) throw new RangeError(`validDays must be positive, got ${validDays}`);
  const now = new Date();
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });

  let ca: { certificate: forge.pki.Certificate; key: RsaKey };
  let newCa = false;
  const written: string[] = [];
  if (!force && haveBoth(paths.caCert, paths.caKey)) {
    ca = {
      certificate: forge.pki.certificateFromPem(readFileSync(paths.caCert, 'utf8')),
      key: rsaKeyFromPem(readFileSync(paths.caKey, 'utf8')),
    };
  } else {
    const key = await generateRsaKey(keyBits);
    const issued = issueCa(key, caCommonName(), validityFrom(now, Math.max(validDays, MIN_CA_VALID_DAYS)));
    writeAtomic(paths.caKey, key.pem, 0o600);
    writeAtomic(paths.caCert, issued.pem, 0o644);
    written.push(paths.caCert, paths.caKey);
    ca = { certificate: issued.certificate, key };
    newCa = true;
  }
  let created = newCa;

  const leaves = [
    { host: options.gatewayHost ?? 'localhost', cert: paths.gatewayCert, keyFile: paths.gatewayKey },
    { host: options.simulatorHost ?? 'localhost', cert: paths.simulatorCert, keyFile: paths.simulatorKey },
  ];
  for (const leaf of leaves) {
    // A new CA invalidates every old leaf, so leaves are re-issued whenever the CA was; so is a
    // leaf that lacks a name now asked for (a compose stack that gained a service).
    if (!newCa && haveBoth(leaf.cert, leaf.keyFile) && namesEvery(leaf.cert, hosts)) continue;
    const key = await generateRsaKey(keyBits);
    const issued = issueLeaf(key, leaf.host, validityFrom(now, validDays), ca, hosts);
    writeAtomic(leaf.keyFile, key.pem, 0o600);
    writeAtomic(leaf.cert, issued.pem, 0o644);
    written.push(leaf.cert, leaf.keyFile);
    created = true;
  }
  return { created, newCa, written, paths };
}

/** The development PKI in `dir`, created with defaults on first use. */
export async function ensureDevPki(dir: string): Promise<DevPkiPaths> {
  return (await initDevPki({ dir })).paths;
}
