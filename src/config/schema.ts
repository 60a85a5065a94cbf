import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const tlsFiles = z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1) });
const url = z.string().url();
const fingerprint256 = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/i, 'must be a SHA-256 fingerprint like AB:CD:…');
/** http://[user:password@]host[:port] — the messages never echo the value, which may hold a password. */
const proxyUrl = z.string().refine((value) => {
  try {
    const parsed = new URL(value);
    return (
      parsed.protocol === 'http:' &&
      parsed.hostname !== '' &&
      (parsed.pathname === '' || parsed.pathname === '/') &&
      !parsed.search &&
      !parsed.hash
    );
  } catch {
    return false;
  }
}, 'must be http://[user:password@]host:port (the proxy itself is spoken to in plain HTTP; TLS runs inside the tunnel)');
const noProxyEntry = z
  .string()
  .regex(/^(\*|\.?[a-z0-9-]+(\.[a-z0-9-]+)*|[0-9a-f:.]+)$/i, 'must be a host name, .domain, IP address or *');
/** https, or http on the loopback interface only (the simulator). */
const loopbackOrHttps = url.refine((value) => {
  const parsed = new URL(value);
  return (
    parsed.protocol === 'https:' ||
    (parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname))
  );
}, 'must be https:// (http:// only on the loopback interface)');
const isoDuration = z
  .string()
  .regex(
    /^P(?!$)(\d+(?:\.\d+)?D)?(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$/i,
    'must be an ISO 8601 duration like PT24H or P30D',
  );

/**
 * What one listener holds open and for how long (issue 13). Node needs headers to finish within
 * the request deadline. The idle keep-alive timeout is long on purpose (above the 60-90 s idle
 * timeouts of common HTTP clients and load balancers): the client must be the side that drops an
 * idle connection, or it can send a request on a socket the server is closing and get no answer.
 */
const listenerShape = {
  /** Open connections on the listener; more are closed at once (and logged at a bounded rate). */
  max: z.number().int().positive(),
  /** Open connections from one remote address. */
  maxPerAddress: z.number().int().positive(),
  /** A new connection's first request, or any request, must have sent its headers within this. */
  headersTimeoutMs: z.number().int().min(50),
  /** A request must have sent its whole body within this (slow uploads are cut with 408). */
  requestTimeoutMs: z.number().int().min(50),
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: z.number().int().min(50),
};
const headersWithinRequest = (settings: { headersTimeoutMs: number; requestTimeoutMs: number }) =>
  settings.headersTimeoutMs <= settings.requestTimeoutMs;
const headersWithinRequestMessage = {
  message: 'headersTimeoutMs must not exceed requestTimeoutMs',
  path: ['headersTimeoutMs'],
};
/** A duration with some non-zero part: a session of no length would sign every operator out at once. */
const positiveDuration = isoDuration.refine((value) => /[1-9]/.test(value), 'must be longer than zero');

/** The whole gateway configuration. Unknown keys are errors, so a typo never silently does nothing. */
export const configSchema = z.strictObject({
  /** Names this instance's event queue; empty means hostname + pid. */
  instanceId: z.string(),
  dataDir: z.string().min(1),
  /** Our MHS party key (SDS nhsMHSPartyKey), e.g. RTX-821088. */
  partyKey: z.string().regex(/^[A-Z0-9]+-[0-9]+$/, 'must look like ODS-number, e.g. RTX-821088'),
  asid: z.string().regex(/^[0-9]{1,12}$/, 'must be up to 12 digits'),
  odsCode: z.string().min(1),
  processingCode: z.enum(['P', 'D', 'T']),
  api: z.strictObject({
    host: z.string().min(1),
    port,
    maxBodyBytes: z.number().int().positive(),
    /** Submissions (POST) being processed at once; more are answered 503 with Retry-After, not queued in memory. */
    maxInFlight: z.number().int().positive(),
    connections: z.strictObject(listenerShape).refine(headersWithinRequest, headersWithinRequestMessage),
    /** `api-key`: every route but /healthz and /readyz needs a key from keysFile; `none` is for development only. */
    auth: z.strictObject({ mode: z.enum(['api-key', 'none']), keysFile: z.string().min(1) }),
  }),
  inbound: z.strictObject({
    host: z.string().min(1),
    port,
    maxBodyBytes: z.number().int().positive(),
    maxParts: z.number().int().min(2).max(1000),
    connections: z
      .strictObject({
        ...listenerShape,
        /** A connection must finish its TLS handshake within this (Node's default is 120 s). */
        handshakeTimeoutMs: z.number().int().min(50),
      })
      .refine(headersWithinRequest, headersWithinRequestMessage),
    requireSignature: z.boolean(),
    /** XSD-validate every inbound envelope (schemas/); an invalid one gets MessageError OtherXml. */
    validateSchema: z.boolean(),
    /**
     * Which client certificates may call the inbound endpoint, and for which From parties. Empty:
     * any certificate issued by the configured CA, for any party (development default).
     */
    allowedClients: z.array(
      z
        .strictObject({
          commonName: z.string().min(1).optional(),
          fingerprint256: fingerprint256.optional(),
          parties: z.array(z.string().min(1)).min(1),
          /**
           * Certificates (SHA-256 fingerprints) besides the client's own TLS certificate whose XML
           * signatures are accepted on what this client sends. Empty: its own certificate only.
           */
          signers: z.array(fingerprint256).optional(),
        })
        .refine((entry) => entry.commonName || entry.fingerprint256, 'needs commonName or fingerprint256'),
    ),
  }),
  /**
   * Request bodies held in memory at once, over both listeners together; a request that would
   * pass it is refused with 503 and Retry-After before its body is read.
   */
  maxBufferedBodyBytes: z.number().int().positive(),
  tls: tlsFiles,
  /** `sqlite:<path>` (default) or `postgres://…`. */
  store: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<path> or postgres://…'),
  amqp: z.strictObject({
    url: z.string().regex(/^amqps?:\/\//, 'must be an amqp:// or amqps:// URL'),
    prefetch: z.number().int().min(1).max(10_000),
  }),
  routesFile: z.string().min(1),
  interactionsFile: z.string().min(1),
  /**
   * Routing from the Spine Directory Service FHIR API, laid over routesFile (which stays the
   * fallback). Empty url: off. apiKey is a secret (set it through MHS_SDS_API_KEY; never logged).
   */
  sds: z.strictObject({
    url: z.union([z.literal(''), url]),
    apiKey: z.string(),
    /** The organisation that receives what we send (e-RS's: YES). */
    odsCode: z.string().min(1),
    cacheSeconds: z.number().int().min(10),
    /** Spine's reliable intermediary, the POST target of forward-reliable interactions; empty: routesFile's. */
    forwardReliableEndpoint: z.union([z.literal(''), url]),
  }),
  signing: z.strictObject({
    enabled: z.boolean(),
    algorithm: z.enum(['rsa-sha256', 'rsa-sha1']),
    /** Threads that sign outbound messages beside the event loop; 0 signs on the event loop itself. */
    workers: z.number().int().min(0).max(16),
  }),
  outbound: z.strictObject({
    requestTimeoutMs: z.number().int().positive(),
    /** How often the sweeper looks for messages a crash left without a queue entry. */
    sweepIntervalMs: z.number().int().min(1000),
    /** How long a message may sit ACCEPTED, or RETRYING past its next attempt, before the sweeper queues it again. */
    sweeper: z.strictObject({
      acceptedGraceMs: z.number().int().min(1000),
      retryGraceMs: z.number().int().min(1000),
    }),
    /**
     * The site's HTTP proxy for outbound HTTPS (Spine, SDS), used through CONNECT tunnels; TLS stays
     * end to end. Empty url: connect directly. Credentials in the URL are a secret (set it through
     * MHS_OUTBOUND_PROXY_URL; never logged). noProxy: hosts reached directly (name, .domain, IP, *).
     */
    proxy: z.strictObject({ url: z.union([z.literal(''), proxyUrl]), noProxy: z.array(noProxyEntry) }),
  }),
  /**
   * How long finished outbound messages, and inbound messages (the duplicate-elimination records),
   * are kept (ISO 8601 durations). Inbound records must outlive every route's persist duration.
   */
  retention: z.strictObject({
    finishedMessages: isoDuration,
    inboundMessages: isoDuration,
    intervalMs: z.number().int().min(1000),
  }),
  /**
   * The e-RS FHIR API, provider side (docs/ers-fhir.md): worklist sync, referrals, attachments and
   * decisions. apiKey and the private key are secrets (never logged). baseUrl and tokenUrl must be
   * https except on the loopback interface (the simulator).
   */
  ersFhir: z.strictObject({
    enabled: z.boolean(),
    baseUrl: loopbackOrHttps,
    tokenUrl: loopbackOrHttps,
    apiKey: z.string(),
    /** The JWT client assertion's signing key: PEM file, or PKCS#12 (.p12/.pfx) with keyPassword. */
    privateKeyFile: z.string().min(1),
    keyPassword: z.string(),
    /** `kid` of the public key registered with the API platform. */
    keyId: z.string().min(1),
    /** Our organisation (NHSD-End-User-Organisation-ODS). */
    odsCode: z.string().min(1),
    /** e-RS service ids whose worklists are synchronised. */
    services: z.array(z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'must be an e-RS service id')),
    lists: z.array(z.enum(['REFERRALS_FOR_REVIEW', 'APPOINTMENT_SLOT_ISSUES'])).min(1),
    syncIntervalMs: z.number().int().min(1000),
    /** A008 calls allowed per service per day (Europe/London); e-RS allows 2 in application-restricted mode. */
    dailyA008Budget: z.number().int().min(0),
    /** Requests per second to e-RS, for the whole application (e-RS allows 10). */
    requestsPerSecond: z.number().min(0.1).max(10),
    requestTimeoutMs: z.number().int().positive(),
    /** Attempts after a 429/503 before giving up (Retry-After honoured, else 1 s, 2 s, 4 s…). */
    maxRetries: z.number().int().min(0).max(10),
    attachmentsDir: z.string().min(1),
    maxAttachmentBytes: z.number().int().positive(),
    /** How long a PENDING (being scanned) attachment waits before the next try; e-RS asks for 5 minutes. */
    pendingRetryMs: z.number().int().min(100),
    /** How long A004 reference data is kept. */
    referenceDataTtlMs: z.number().int().min(1000),
  }),
  /** The operations dashboard (GET /dashboard). */
  dashboard: z.strictObject({
    /** Show HL7 payloads and NHS numbers unredacted: only where every dashboard user may see patient data. */
    showPatientData: z.boolean(),
    /**
     * A TLS-terminating reverse proxy stands in front of the API port: believe its X-Forwarded-Proto
     * and X-Forwarded-Host (Secure session cookie, same-origin check). Only when every request
     * comes through that proxy: anyone reaching the port directly could send those headers.
     */
    trustProxy: z.boolean(),
    /** A signed-in browser's session ends after `idleTimeout` unused, `lifetime` after sign-in, or at logout. */
    session: z.strictObject({ idleTimeout: positiveDuration, lifetime: positiveDuration }),
  }),
  logging: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    redactPatientData: z.boolean(),
    /** Refused connections are logged once at first, then as one summary line per this interval. */
    refusalIntervalMs: z.number().int().min(100),
  }),
  simulator: z.strictObject({
    host: z.string().min(1),
    port,
    controlHost: z.string().min(1),
    controlPort: port,
    partyKey: z.string().min(1),
    asid: z.string().min(1),
    gatewayInboundUrl: url,
    gatewayPartyKey: z.string().min(1),
    gatewayAsid: z.string().min(1),
    tls: tlsFiles,
    signing: z.boolean(),
    ackDelayMs: z.number().int().min(0),
  }),
});

export type GatewayConfig = z.infer<typeof configSchema>;
