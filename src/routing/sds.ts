import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createError } from '../errors/index.js';
import { type OutboundProxy, ProxyTunnelAgent } from '../transport/index.js';
import { type ReliabilitySettings, reliabilitySchema } from './catalogue.js';

/** Identifier systems and the extension the SDS FHIR API uses for MHS records. */
export const SDS_SYSTEMS = {
  odsCode: 'https://fhir.nhs.uk/Id/ods-organization-code',
  interaction: 'https://fhir.nhs.uk/Id/nhsServiceInteractionId',
  partyKey: 'https://fhir.nhs.uk/Id/nhsMhsPartyKey',
  cpaId: 'https://fhir.nhs.uk/Id/nhsMhsCPAId',
  asid: 'https://fhir.nhs.uk/Id/nhsSpineASID',
} as const;
export const SDS_RELIABILITY_EXTENSION =
  'https://fhir.nhs.uk/StructureDefinition/Extension-SDS-ReliabilityConfiguration';

/** What SDS says about the MHS that receives one interaction for one organisation. */
export interface SdsRoute {
  partyKey: string;
  cpaId: string;
  /** nhsMHSEndPoint: where that MHS takes the interaction. */
  address: string;
  /** From the Device (accredited system); sync SOAP needs it. */
  asid?: string;
  /** Only the attributes SDS published; the catalogue's profile fills the rest. */
  reliability: Partial<ReliabilitySettings>;
}

export interface SdsDevice {
  partyKey: string;
  asid?: string;
}

export interface SdsEndpoint {
  address: string;
  partyKey: string;
  cpaId: string;
  reliability: Partial<ReliabilitySettings>;
}

/** SDS could not be asked, or its answer could not be read. */
export class SdsError extends createError('SDS_LOOKUP_FAILED', 502, 'SDS lookup failed') {}

/** `urn:nhs:names:services:ebs` + `PRSC_IN080000UK07` → the nhsServiceInteractionId value. */
export function serviceInteractionId(service: string, interactionId: string): string {
  return `${service}:${interactionId}`;
}

type Json = Record<string, unknown>;

/** The resources of one type in a searchset Bundle; anything else is an SdsError. */
function bundleResources(bundle: unknown, resourceType: string): Json[] {
  const b = bundle as Json | null;
  if (!b || typeof b !== 'object' || b.resourceType !== 'Bundle')
    throw new SdsError(`SDS answered something other than a FHIR Bundle`);
  const entries = Array.isArray(b.entry) ? (b.entry as Json[]) : [];
  return entries
    .map((entry) => entry?.resource as Json | undefined)
    .filter((resource): resource is Json => !!resource && resource.resourceType === resourceType);
}

function identifier(resource: Json, system: string): string | undefined {
  const ids = Array.isArray(resource.identifier) ? (resource.identifier as Json[]) : [];
  const found = ids.find((id) => id?.system === system && typeof id.value === 'string' && id.value !== '');
  return found?.value as string | undefined;
}

/** Device resources → party key and ASID (the accredited system). */
export function parseDeviceBundle(bundle: unknown): SdsDevice[] {
  return bundleResources(bundle, 'Device').map((device) => {
    const partyKey = identifier(device, SDS_SYSTEMS.partyKey);
    if (!partyKey) throw new SdsError('SDS Device has no nhsMhsPartyKey identifier');
    const asid = identifier(device, SDS_SYSTEMS.asid);
    return asid ? { partyKey, asid } : { partyKey };
  });
}

/** Endpoint resources → address, party key, CPA id and the reliability extension. */
export function parseEndpointBundle(bundle: unknown): SdsEndpoint[] {
  return bundleResources(bundle, 'Endpoint').map((endpoint) => {
    const partyKey = identifier(endpoint, SDS_SYSTEMS.partyKey);
    const cpaId = identifier(endpoint, SDS_SYSTEMS.cpaId);
    const address = typeof endpoint.address === 'string' ? endpoint.address : '';
    if (!partyKey) throw new SdsError('SDS Endpoint has no nhsMhsPartyKey identifier');
    if (!cpaId) throw new SdsError(`SDS Endpoint for ${partyKey} has no nhsMhsCPAId identifier`);
    if (!/^https:\/\//i.test(address))
      throw new SdsError(`SDS Endpoint for ${partyKey} has no https address`);
    return { address, partyKey, cpaId, reliability: parseReliability(endpoint) };
  });
}

/** Sub-extension name (compared case-insensitively) → our reliability key. */
const RELIABILITY_FIELDS: Record<string, keyof ReliabilitySettings> = {
  nhsmhsackrequested: 'ackRequested',
  nhsmhsduplicateelimination: 'duplicateElimination',
  nhsmhspersistduration: 'persistDuration',
  nhsmhsretries: 'retries',
  nhsmhsretryinterval: 'retryInterval',
  nhsmhssyncreplymode: 'syncReplyMode',
  nhsmhsactor: 'actor',
};
const ACTORS = [
  'urn:oasis:names:tc:ebxml-msg:actor:nextMSH',
  'urn:oasis:names:tc:ebxml-msg:actor:toPartyMSH',
];

/**
 * The Extension-SDS-ReliabilityConfiguration values, checked as the routes file's are (durations
 * ISO 8601, enumerations case-insensitive). The extension's URL is matched on its last segment,
 * since both the plain and the /R4/ StructureDefinition paths occur.
 */
export function parseReliability(endpoint: Json): Partial<ReliabilitySettings> {
  const extensions = Array.isArray(endpoint.extension) ? (endpoint.extension as Json[]) : [];
  const config = extensions.find(
    (ext) => typeof ext?.url === 'string' && ext.url.endsWith('/Extension-SDS-ReliabilityConfiguration'),
  );
  if (!config) return {};
  const raw: Record<string, unknown> = {};
  for (const sub of Array.isArray(config.extension) ? (config.extension as Json[]) : []) {
    const key = RELIABILITY_FIELDS[String(sub?.url ?? '').toLowerCase()];
    if (!key) continue;
    const value = sub.valueString ?? sub.valueInteger ?? sub.valueCode;
    if (value === undefined) continue;
    if (key === 'retries') raw[key] = typeof value === 'number' ? value : Number(value);
    else if (key === 'actor')
      raw[key] = ACTORS.find((a) => a.toLowerCase() === String(value).toLowerCase()) ?? value;
    else raw[key] = String(value);
  }
  const result = reliabilitySchema.partial().safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SdsError(`SDS reliability ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

export interface SdsClientOptions {
  /** Base URL of the SDS FHIR API, e.g. https://…/spine-directory/FHIR/R4 */
  url: string;
  /** Sent as the `apikey` header; never logged or put in an error. */
  apiKey: string;
  timeoutMs: number;
  newId?: () => string;
  /** The site's proxy (outbound.proxy), for an https SDS; the simulator's http SDS is reached directly. */
  proxy?: OutboundProxy;
}

/** SDS answers are a few kilobytes; anything far larger is not an answer we want to hold. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** How long an idle connection is kept for the next lookup (lookups come in bursts). */
const IDLE_SOCKET_MS = 5000;

/**
 * SDS FHIR API client: Device then Endpoint for (organisation, interaction). Connections are kept
 * alive between the lookups of a refresh, through the proxy's tunnel when there is one. The server
 * certificate is checked against the system's trust store (SDS is not an mTLS service).
 */
export class SdsClient {
  private readonly base: string;
  private readonly agent: https.Agent;

  constructor(private readonly options: SdsClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.agent = new ProxyTunnelAgent(
      { keepAlive: true, timeout: IDLE_SOCKET_MS },
      options.proxy,
      options.timeoutMs,
    );
  }

  async lookupRoute(interactionId: string, service: string, odsCode: string): Promise<SdsRoute> {
    const organization = `${SDS_SYSTEMS.odsCode}|${odsCode}`;
    const interaction = `${SDS_SYSTEMS.interaction}|${serviceInteractionId(service, interactionId)}`;
    const devices = parseDeviceBundle(
      await this.get('Device', [
        ['organization', organization],
        ['identifier', interaction],
      ]),
    );
    const partyKeys = [...new Set(devices.map((d) => d.partyKey))];
    if (partyKeys.length === 0)
      throw new SdsError(`SDS has no MHS for ${interactionId} at organisation ${odsCode}`);
    if (partyKeys.length > 1)
      throw new SdsError(
        `SDS has ${partyKeys.length} MHSs for ${interactionId} at ${odsCode} (${partyKeys.join(', ')})`,
      );
    const partyKey = partyKeys[0]!;
    const endpoints = parseEndpointBundle(
      await this.get('Endpoint', [
        ['organization', organization],
        ['identifier', interaction],
        ['identifier', `${SDS_SYSTEMS.partyKey}|${partyKey}`],
      ]),
    ).filter((e) => e.partyKey === partyKey);
    const endpoint = endpoints[0];
    if (!endpoint) throw new SdsError(`SDS has no Endpoint for ${interactionId} at ${partyKey}`);
    const asid = devices.find((d) => d.asid)?.asid;
    return {
      partyKey,
      cpaId: endpoint.cpaId,
      address: endpoint.address,
      ...(asid ? { asid } : {}),
      reliability: endpoint.reliability,
    };
  }

  private async get(resource: 'Device' | 'Endpoint', query: [string, string][]): Promise<unknown> {
    const url = `${this.base}/${resource}?${new URLSearchParams(query)}`;
    const correlationId = (this.options.newId ?? randomUUID)();
    let answer: { status: number; text: string };
    try {
      answer = await this.fetchText(url, {
        Accept: 'application/fhir+json',
        apikey: this.options.apiKey,
        'X-Correlation-Id': correlationId,
      });
    } catch (error) {
      throw new SdsError(`SDS ${resource} lookup failed (${correlationId}): ${(error as Error).message}`);
    }
    const { status, text } = answer;
    if (status !== 200)
      throw new SdsError(
        `SDS ${resource} lookup answered ${status} (${correlationId}): ${text.slice(0, 200)}`,
      );
    try {
      return JSON.parse(text);
    } catch {
      throw new SdsError(`SDS ${resource} lookup answered invalid JSON (${correlationId})`);
    }
  }

  /** One GET; rejects on a transport failure or after timeoutMs without a complete answer. */
  private fetchText(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const timeoutMs = this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).get(
        target,
        { headers, ...(secure ? { agent: this.agent } : {}) },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.byteLength;
            if (size > MAX_ANSWER_BYTES) request.destroy(new Error(`answer over ${MAX_ANSWER_BYTES} bytes`));
            else chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
          response.on('error', fail);
        },
      );
      // One deadline for the whole exchange, CONNECT and TLS included, as fetch's abort signal had.
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      request.on('error', fail);
    });
  }
}
