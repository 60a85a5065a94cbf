import { randomUUID } from 'node:crypto';
import type { GatewayConfig } from '../config/index.js';
import {
  type ReliabilitySettings,
  type RouteTable,
  SDS_RELIABILITY_EXTENSION,
  SDS_SYSTEMS,
  serviceInteractionId,
} from '../routing/index.js';

/** One MHS record (nhsMhs) as the simulated SDS holds it. */
export interface SdsRecord {
  odsCode: string;
  interaction: string;
  partyKey: string;
  asid?: string;
  cpaId: string;
  address: string;
  reliability: ReliabilitySettings;
}

/**
 * The simulator's directory, from the route table it already loads: what the gateway sends is
 * registered under sds.odsCode (e-RS / Spine) with the route's party key, ASID and endpoint; what
 * e-RS sends the gateway is registered under the gateway's own organisation and MHS.
 */
export function sdsDirectory(config: GatewayConfig, routes: RouteTable): SdsRecord[] {
  const records: SdsRecord[] = [];
  for (const id of routes.routed()) {
    const interaction = routes.catalogue.interactions[id]!;
    const route = routes.resolve(id);
    const interactionValue = serviceInteractionId(interaction.service, id);
    if (interaction.direction === 'inbound') {
      records.push({
        odsCode: config.odsCode,
        interaction: interactionValue,
        partyKey: config.simulator.gatewayPartyKey,
        asid: config.simulator.gatewayAsid,
        cpaId: route.cpaId,
        address: config.simulator.gatewayInboundUrl,
        reliability: route.reliability,
      });
    } else {
      records.push({
        odsCode: config.sds.odsCode,
        interaction: interactionValue,
        partyKey: route.toPartyKey,
        ...(route.toAsid ? { asid: route.toAsid } : {}),
        cpaId: route.cpaId,
        address: route.endpoint,
        reliability: route.reliability,
      });
    }
  }
  return records;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * GET /sds/Device and /sds/Endpoint as the SDS FHIR API answers them: `apikey` required (401),
 * a UUID X-Correlation-Id and an organization or identifier search required (400).
 */
export function answerSds(
  path: string,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
  directory: SdsRecord[],
  apiKey: string,
): { status: number; body: unknown } {
  const resource = path === '/sds/Device' ? 'Device' : path === '/sds/Endpoint' ? 'Endpoint' : undefined;
  if (!resource) return { status: 404, body: outcome('not-found', `no resource ${path}`) };
  const key = headers.apikey;
  if (!key || (apiKey && key !== apiKey))
    return { status: 401, body: outcome('security', 'missing or invalid apikey') };
  const correlationId = headers['x-correlation-id'];
  if (typeof correlationId !== 'string' || !UUID.test(correlationId))
    return { status: 400, body: outcome('value', 'X-Correlation-Id must be a UUID') };
  const organization = query.get('organization');
  const identifiers = query.getAll('identifier');
  if (organization !== null && !organization.startsWith(`${SDS_SYSTEMS.odsCode}|`))
    return { status: 400, body: outcome('value', `organization must use ${SDS_SYSTEMS.odsCode}`) };
  const interaction = identifiers.find((i) => i.startsWith(`${SDS_SYSTEMS.interaction}|`));
  if (!interaction)
    return { status: 400, body: outcome('required', `identifier ${SDS_SYSTEMS.interaction} is required`) };
  const odsCode = organization?.slice(SDS_SYSTEMS.odsCode.length + 1);
  const interactionValue = interaction.slice(SDS_SYSTEMS.interaction.length + 1);
  const partyKey = identifiers
    .find((i) => i.startsWith(`${SDS_SYSTEMS.partyKey}|`))
    ?.slice(SDS_SYSTEMS.partyKey.length + 1);
  const matches = directory.filter(
    (r) =>
      r.interaction === interactionValue &&
      (odsCode === undefined || r.odsCode === odsCode) &&
      (partyKey === undefined || r.partyKey === partyKey),
  );
  const resources = matches.map((r) => (resource === 'Device' ? deviceResource(r) : endpointResource(r)));
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      id: randomUUID(),
      type: 'searchset',
      total: resources.length,
      entry: resources.map((r) => ({ fullUrl: `urn:uuid:${r.id}`, resource: r })),
    },
  };
}

function deviceResource(r: SdsRecord) {
  return {
    resourceType: 'Device',
    id: randomUUID(),
    identifier: [
      { system: SDS_SYSTEMS.interaction, value: r.interaction },
      { system: SDS_SYSTEMS.partyKey, value: r.partyKey },
      ...(r.asid ? [{ system: SDS_SYSTEMS.asid, value: r.asid }] : []),
    ],
    owner: { identifier: { system: SDS_SYSTEMS.odsCode, value: r.odsCode } },
  };
}

function endpointResource(r: SdsRecord) {
  const rel = r.reliability;
  return {
    resourceType: 'Endpoint',
    id: randomUUID(),
    status: 'active',
    extension: [
      {
        url: SDS_RELIABILITY_EXTENSION,
        extension: [
          { url: 'nhsMHSSyncReplyMode', valueString: rel.syncReplyMode },
          { url: 'nhsMHSRetryInterval', valueString: rel.retryInterval },
          { url: 'nhsMHSRetries', valueInteger: rel.retries },
          { url: 'nhsMHSPersistDuration', valueString: rel.persistDuration },
          { url: 'nhsMHSDuplicateElimination', valueString: rel.duplicateElimination },
          { url: 'nhsMHSAckRequested', valueString: rel.ackRequested },
          { url: 'nhsMHSActor', valueString: rel.actor },
        ],
      },
    ],
    identifier: [
      { system: SDS_SYSTEMS.interaction, value: r.interaction },
      { system: SDS_SYSTEMS.partyKey, value: r.partyKey },
      { system: SDS_SYSTEMS.cpaId, value: r.cpaId },
    ],
    connectionType: {
      system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
      code: 'hl7-fhir-msg',
    },
    managingOrganization: { identifier: { system: SDS_SYSTEMS.odsCode, value: r.odsCode } },
    address: r.address,
  };
}

function outcome(code: string, diagnostics: string) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}
