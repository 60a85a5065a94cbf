import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import {
  loadRouteTable,
  parseDeviceBundle,
  parseEndpointBundle,
  SdsCache,
  SdsClient,
  SdsError,
  type SdsRoute,
  SdsRouteRefresher,
} from '../../../src/routing/index.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as Record<string, unknown>;
const table = () =>
  loadRouteTable(
    join(packageRoot, 'config', 'interactions.json'),
    join(packageRoot, 'config', 'routes.json'),
  );
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('SDS bundles', () => {
  it('reads an Endpoint: address, party key, CPA id and the reliability extension', () => {
    expect(parseEndpointBundle(fixture('sds-endpoint-bundle.json'))).toEqual([
      {
        address: 'https://msg.example.invalid/reliablemessaging/reliablerequest',
        partyKey: 'X26-9199246',
        cpaId: 'S918999714999',
        reliability: {
          syncReplyMode: 'mshsignalsonly',
          retryInterval: 'PT0.5S',
          retries: 3,
          persistDuration: 'PT6H',
          duplicateElimination: 'always',
          ackRequested: 'always',
          actor: 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH',
        },
      },
    ]);
  });

  it('reads a Device: party key and ASID', () => {
    expect(parseDeviceBundle(fixture('sds-device-bundle.json'))).toEqual([
      { partyKey: 'X26-9199246', asid: '918999199246' },
    ]);
  });

  it('refuses a malformed duration, a missing CPA id, and something that is not a Bundle', () => {
    const bad = fixture('sds-endpoint-bundle.json');
    const endpoint = (
      bad.entry as { resource: { extension: { extension: { url: string; valueString?: string }[] }[] } }[]
    )[0]!.resource;
    endpoint.extension[0]!.extension[1]!.valueString = 'soon';
    expect(() => parseEndpointBundle(bad)).toThrow(/retryInterval/);
    const noCpa = fixture('sds-endpoint-bundle.json');
    const resource = (noCpa.entry as { resource: { identifier: { system: string }[] } }[])[0]!.resource;
    resource.identifier = resource.identifier.filter((i) => !i.system.endsWith('nhsMhsCPAId'));
    expect(() => parseEndpointBundle(noCpa)).toThrow(SdsError);
    expect(() => parseDeviceBundle({ resourceType: 'OperationOutcome' })).toThrow(/Bundle/);
  });

  it('an Endpoint without the extension has no reliability of its own', () => {
    const plain = fixture('sds-endpoint-bundle.json');
    delete (plain.entry as { resource: Record<string, unknown> }[])[0]!.resource.extension;
    expect(parseEndpointBundle(plain)[0]!.reliability).toEqual({});
  });
});

describe('SdsClient', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/FHIR/R4/`;
  }

  it('looks up Device then Endpoint with the apikey and a UUID X-Correlation-Id', async () => {
    const seen: { path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders }[] = [];
    const url = await serve((request, response) => {
      const parsed = new URL(request.url!, 'http://x');
      seen.push({ path: parsed.pathname, query: parsed.searchParams, headers: request.headers });
      const body = parsed.pathname.endsWith('/Device')
        ? 'sds-device-bundle.json'
        : 'sds-endpoint-bundle.json';
      response.writeHead(200, { 'Content-Type': 'application/fhir+json' }).end(JSON.stringify(fixture(body)));
    });
    const client = new SdsClient({ url, apiKey: 'k-123', timeoutMs: 2000 });
    const route = await client.lookupRoute('PRSC_IN090000UK09', 'urn:nhs:names:services:ebs', 'YES');
    expect(route).toMatchObject({
      partyKey: 'X26-9199246',
      cpaId: 'S918999714999',
      asid: '918999199246',
      address: 'https://msg.example.invalid/reliablemessaging/reliablerequest',
      reliability: { retries: 3 },
    });
    expect(seen.map((s) => s.path)).toEqual(['/FHIR/R4/Device', '/FHIR/R4/Endpoint']);
    expect(seen[0]!.query.get('organization')).toBe('https://fhir.nhs.uk/Id/ods-organization-code|YES');
    expect(seen[1]!.query.getAll('identifier')).toEqual([
      'https://fhir.nhs.uk/Id/nhsServiceInteractionId|urn:nhs:names:services:ebs:PRSC_IN090000UK09',
      'https://fhir.nhs.uk/Id/nhsMhsPartyKey|X26-9199246',
    ]);
    for (const s of seen) {
      expect(s.headers.apikey).toBe('k-123');
      expect(s.headers['x-correlation-id']).toMatch(UUID);
    }
    expect(seen[0]!.headers['x-correlation-id']).not.toBe(seen[1]!.headers['x-correlation-id']);
  });

  it('an error answer is an SdsError that never carries the API key; no Device is an SdsError', async () => {
    let status = 401;
    const url = await serve((_request, response) => {
      if (status === 200)
        response.writeHead(200).end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [] }));
      else response.writeHead(status).end('{"issue":"invalid apikey"}');
    });
    const client = new SdsClient({ url, apiKey: 'secret-key-xyz', timeoutMs: 2000 });
    const failure = await client
      .lookupRoute('PRSC_IN090000UK09', 'urn:nhs:names:services:ebs', 'YES')
      .catch((e) => e);
    expect(failure).toBeInstanceOf(SdsError);
    expect(failure.message).toMatch(/401/);
    expect(failure.message).not.toContain('secret-key-xyz');
    status = 200;
    await expect(
      client.lookupRoute('PRSC_IN090000UK09', 'urn:nhs:names:services:ebs', 'YES'),
    ).rejects.toThrow(/no MHS/);
  });

  it('gives up after its timeout', async () => {
    const url = await serve(() => undefined);
    const client = new SdsClient({ url, apiKey: 'k', timeoutMs: 100 });
    await expect(
      client.lookupRoute('PRSC_IN090000UK09', 'urn:nhs:names:services:ebs', 'YES'),
    ).rejects.toThrow(/within 100 ms/);
    server!.closeAllConnections();
  });
});

describe('SdsCache', () => {
  it('answers fresh values from memory, looks up again after expiry', async () => {
    let now = 0;
    let calls = 0;
    const cache = new SdsCache<number>({ ttlMs: 1000, staleIfErrorMs: 5000, now: () => now });
    const load = async () => ++calls;
    expect(await cache.get('k', load)).toEqual({ value: 1, stale: false });
    now = 999;
    expect(await cache.get('k', load)).toEqual({ value: 1, stale: false });
    now = 1000;
    expect(await cache.get('k', load)).toEqual({ value: 2, stale: false });
  });

  it('answers a stale value while lookups fail within the window, then throws', async () => {
    let now = 0;
    const cache = new SdsCache<string>({ ttlMs: 1000, staleIfErrorMs: 5000, now: () => now });
    await cache.get('k', async () => 'first');
    const failing = async (): Promise<string> => {
      throw new Error('SDS down');
    };
    now = 5999;
    const hit = await cache.get('k', failing);
    expect(hit).toMatchObject({ value: 'first', stale: true });
    expect(hit.error?.message).toBe('SDS down');
    now = 6000;
    await expect(cache.get('k', failing)).rejects.toThrow('SDS down');
    await expect(cache.get('other', failing)).rejects.toThrow('SDS down');
  });

  it('shares one lookup between concurrent callers', async () => {
    let calls = 0;
    const cache = new SdsCache<number>({ ttlMs: 1000, staleIfErrorMs: 0 });
    const load = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 10));
      return calls;
    };
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a.value, b.value, calls]).toEqual([1, 1, 1]);
  });
});

describe('SdsRouteRefresher', () => {
  const quiet = { info: () => undefined, warn: () => undefined };
  const sdsRoute = (id: string): SdsRoute => ({
    partyKey: 'SDS-000001',
    cpaId: `SDS-${id}`,
    address: `https://receiver.example.invalid/${id}`,
    asid: '123456789012',
    reliability: { retries: 5, retryInterval: 'PT3S' },
  });

  it('lays SDS values over the routes file; forward-reliable keeps the intermediary as target', async () => {
    const routes = table();
    const asked: string[] = [];
    const refresher = new SdsRouteRefresher({
      routes,
      lookup: async (id, _service, ods) => {
        asked.push(`${ods}:${id}`);
        return sdsRoute(id);
      },
      receivingOdsCode: 'YES',
      ownOdsCode: 'RTX',
      forwardReliableEndpoint: 'https://spine.example.invalid/reliablemessaging/intermediary',
      cacheMs: 60_000,
      logger: quiet,
    });
    const result = await refresher.refresh();
    expect(result.fallback).toEqual([]);
    expect(asked).toContain('YES:PRSC_IN090000UK09');
    // e-RS sends PRSC_IN080000UK07 to us: its record is under our own organisation.
    expect(asked).toContain('RTX:PRSC_IN080000UK07');
    expect(routes.resolve('PRSC_IN090000UK09')).toMatchObject({
      toPartyKey: 'SDS-000001',
      cpaId: 'SDS-PRSC_IN090000UK09',
      endpoint: 'https://spine.example.invalid/reliablemessaging/intermediary',
      retryIntervalMs: 3000,
      reliability: { retries: 5, ackRequested: 'always' },
    });
    // Not forward-reliable: the receiver's own endpoint and ASID.
    expect(routes.resolve('QUPA_IN040000UK32')).toMatchObject({
      endpoint: 'https://receiver.example.invalid/QUPA_IN040000UK32',
      toAsid: '123456789012',
    });
    // Inbound-only: SDS names our own MHS, so only the CPA id and reliability are taken.
    const inbound = routes.resolve('PRSC_IN080000UK07');
    expect(inbound.cpaId).toBe('SDS-PRSC_IN080000UK07');
    expect(inbound.toPartyKey).toBe('X26-9199246');
    expect(routes.findByCpaId('SDS-PRSC_IN080000UK07')?.interactionId).toBe('PRSC_IN080000UK07');
  });

  it('without a configured intermediary, forward-reliable keeps the routes file endpoint', async () => {
    const routes = table();
    const before = routes.resolve('PRSC_IN090000UK09').endpoint;
    await new SdsRouteRefresher({
      routes,
      lookup: async (id) => sdsRoute(id),
      receivingOdsCode: 'YES',
      ownOdsCode: 'RTX',
      forwardReliableEndpoint: '',
      cacheMs: 60_000,
      logger: quiet,
    }).refresh();
    expect(routes.resolve('PRSC_IN090000UK09')).toMatchObject({
      endpoint: before,
      cpaId: 'SDS-PRSC_IN090000UK09',
    });
  });

  it('falls back to the routes file with a warning when SDS fails and nothing stale is left', async () => {
    const routes = table();
    let now = 0;
    let down = false;
    const warnings: string[] = [];
    const refresher = new SdsRouteRefresher({
      routes,
      lookup: async (id) => {
        if (down || id === 'PRSC_IN050000UK06') throw new Error('SDS 503');
        return sdsRoute(id);
      },
      receivingOdsCode: 'YES',
      ownOdsCode: 'RTX',
      forwardReliableEndpoint: '',
      cacheMs: 10_000,
      staleIfErrorMs: 60_000,
      logger: { info: () => undefined, warn: (_f, message) => warnings.push(message) },
      now: () => now,
    });
    const first = await refresher.refresh();
    expect(first.fallback).toEqual(['PRSC_IN050000UK06']);
    expect(routes.resolve('PRSC_IN050000UK06').cpaId).toBe('S918999714118');
    expect(warnings).toContain('SDS lookup failed; using the routes file');
    // SDS goes down: last answers stand in within the window...
    down = true;
    now = 20_000;
    const second = await refresher.refresh();
    expect(second.stale).toContain('PRSC_IN090000UK09');
    expect(routes.resolve('PRSC_IN090000UK09').cpaId).toBe('SDS-PRSC_IN090000UK09');
    expect(warnings).toContain('SDS lookup failed; using its last answer');
    // ...and past it the routes file is used again.
    now = 200_000;
    const third = await refresher.refresh();
    expect(third.fromSds).toEqual([]);
    expect(routes.resolve('PRSC_IN090000UK09').cpaId).toBe('S918999714115');
  });

  it('warns about routed interactions SDS cannot answer, and only counts the unrouted rest', async () => {
    const routes = table();
    const warned: string[] = [];
    const infos: object[] = [];
    const refresher = new SdsRouteRefresher({
      routes,
      lookup: async () => {
        throw new Error('SDS 404');
      },
      receivingOdsCode: 'YES',
      ownOdsCode: 'RTX',
      forwardReliableEndpoint: '',
      cacheMs: 10_000,
      logger: {
        info: (fields) => infos.push(fields),
        warn: (fields) => warned.push((fields as { interactionId: string }).interactionId),
      },
    });
    const result = await refresher.refresh();
    expect(result.fallback).toHaveLength(Object.keys(routes.catalogue.interactions).length);
    expect(warned.sort()).toEqual(routes.routed().sort());
    expect(warned).not.toContain('PORX_IN020101UK31');
    expect(infos).toContainEqual({ unrouted: result.fallback.length - warned.length });
  });

  it('withOverrides leaves the original table as it was', () => {
    const routes = table();
    const changed = routes.withOverrides({ PRSC_IN090000UK09: { cpaId: 'OTHER' } });
    expect(changed.resolve('PRSC_IN090000UK09').cpaId).toBe('OTHER');
    expect(routes.resolve('PRSC_IN090000UK09').cpaId).toBe('S918999714115');
  });
});
