import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import { loadRouteTable, RoutingError } from '../../../src/routing/index.js';

const interactions = join(packageRoot, 'config', 'interactions.json');
const shippedRoutes = join(packageRoot, 'config', 'routes.json');

/**
 * Facts read from the NHS MHS adaptor's interaction catalogue
 * (NHSDigital/integration-adaptor-mhs, mhs/common/data/interactions/interactions.json): service
 * and workflow → interaction ids. Its two "Forward Express" entries (a workflow that does not exist,
 * so it can never send them) are catalogued by us as forward-reliable with express reliability.
 */
const MHS_ADAPTOR_CATALOGUE: Record<string, string[]> = {
  'pdsquery sync': [
    'GET_NHS_NUMBER_REQUEST',
    'QUPA_IN000005UK01',
    'QUPA_IN000005UK03',
    'QUPA_IN000008SM13',
    'QUPA_IN000008UK02',
    'QUPA_IN000008UK05',
    'QUPA_IN000014SM03',
    'QUPA_IN000014UK01',
    'QUPA_IN000014UK03',
    'QUPA_IN000016UK02',
    'QUPA_IN010000UK13',
    'QUPA_IN010000UK32',
    'QUPA_IN040000UK14',
    'QUPA_IN040000UK32',
    'QUPA_IN060000UK30',
  ],
  'lrsquery sync': [
    'GET_RESOURCE_PERMISSIONS_INUK01',
    'GetConsent01',
    'HAS_RESOURCE_PERMISSIONS_INUK01',
    'QUPC_IN010000UK32',
  ],
  'psisquery async-express': ['QUPC_IN160101UK05', 'QUPC_IN160103UK05'],
  'psis async-reliable': ['REPC_IN150016UK05', 'REPC_IN150017UK02', 'REPC_IN150018UK02'],
  'mm async-reliable': [
    'PORX_IN020101UK04',
    'PORX_IN020101UK31',
    'PORX_IN020102UK04',
    'PORX_IN020102UK31',
    'PORX_IN030101UK32',
    'PORX_IN060102UK30',
    'PORX_IN080101UK31',
    'PORX_IN090101UK31',
    'PORX_IN100101UK31',
    'PORX_IN510101UK31',
    'PORX_IN540101UK31',
  ],
  'psisquery sync': ['QUPC_IN180000UK04', 'QUPC_IN190000UK04'],
  'pdsquery async-express': [
    'QUPA_IN000006UK02',
    'QUPA_IN000006UK05',
    'QUPA_IN020000UK14',
    'QUPA_IN020000UK31',
  ],
  'pds async-reliable': [
    'PRPA_IN000200SM13',
    'PRPA_IN000200UK03',
    'PRPA_IN000203UK03',
    'PRPA_IN000203UK06',
    'PRPA_IN000204SM13',
    'PRPA_IN000205UK03',
    'PRPA_IN000205UK05',
    'PRPA_IN040000UK15',
    'PRPA_IN040000UK30',
    'PRPA_IN160000UK01',
    'PRPA_IN160000UK30',
  ],
  'clinicals-sync sync': ['FGMQuery_1_0'],
  'gp2gp forward-reliable': [
    'COPC_IN000001UK01',
    'RCMR_IN010000UK05',
    'RCMR_IN030000UK06',
    'RCMR_IN030000UK07',
  ],
  'ebs forward-reliable': [
    'PRPA_IN010000UK07',
    'PRPA_IN020000UK06',
    'PRPA_IN030000UK08',
    'PRSC_IN040000UK03',
    'PRSC_IN040000UK08',
    'PRSC_IN050000UK06',
    'PRSC_IN060000UK06',
    'PRSC_IN070000UK08',
    'PRSC_IN080000UK03',
    'PRSC_IN080000UK07',
    'PRSC_IN090000UK09',
    'PRSC_IN100000UK06',
    'PRSC_IN110000UK08',
    'PRSC_IN130000UK07',
    'PRSC_IN140000UK06',
    'PRSC_IN150000UK06',
  ],
  'lrs async-reliable': ['REPC_IN010000UK15', 'REPC_IN040000UK15', 'SetConsent01'],
  'cpisquery async-reliable': ['QUPC_IN000006GB01'],
  'mmquery sync': ['QURX_IN000005UK99'],
  'dbs sync': ['DBS_ACKNOWLEDGEDOWNLOAD_INUK01', 'DBS_DOWNLOADFILE_INUK01', 'DBS_GETFILELIST_INUK01'],
  'cpisquery async-express': ['ACCESS_TO_SERVICE', 'INACTIVE_NHS_NUMBERS'],
  'alerts async-reliable': ['COMT_IN000001UK01'],
  'dbs async-reliable': ['DBS_SEND_FILE_UK01'],
  'pat forward-reliable': ['POLB_IN020005UK01', 'POLB_IN020006UK01'],
  'tms async-reliable': ['MCCI_IN200001UK02'],
  'sdsquery sync': ['AccreditedSystemSearchRequest_1_0'],
  'gpes forward-reliable': ['COMT_IN000004GB01'],
  'lrsquery async-express': ['QUPC_IN020000UK17'],
};

function routesFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mhs-catalogue-')), 'routes.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const defaults = { endpoint: 'https://spine.example/x', toPartyKey: 'YES-0000806', toAsid: '928942012545' };

describe('the interaction catalogue', () => {
  const table = loadRouteTable(interactions, shippedRoutes);

  it('holds every interaction the MHS adaptor ships, with its service and workflow', () => {
    const missing: string[] = [];
    for (const [key, ids] of Object.entries(MHS_ADAPTOR_CATALOGUE)) {
      const [service, workflow] = key.split(' ') as [string, string];
      for (const id of ids) {
        const entry = table.catalogue.interactions[id];
        if (!entry) missing.push(id);
        else
          expect({ id, service: entry.service, workflow: entry.workflow }).toEqual({
            id,
            service: `urn:nhs:names:services:${service}`,
            workflow,
          });
      }
    }
    expect(missing).toEqual([]);
    expect(Object.values(MHS_ADAPTOR_CATALOGUE).flat().length).toBeGreaterThan(80);
  });

  it('says an application acknowledgement belongs to the service of whatever it answers', () => {
    const services = table.servicesOf('MCCI_IN010000UK13');
    expect(services[0]).toBe('urn:nhs:names:services:ebs');
    for (const service of ['psis', 'pds', 'gp2gp', 'mm', 'lrs'])
      expect(services).toContain(`urn:nhs:names:services:${service}`);
    expect(services).not.toContain('urn:nhs:names:services:psisquery'); // express: no application acks
    expect(table.servicesOf('PRSC_IN080000UK07')).toEqual(['urn:nhs:names:services:ebs']);
    expect(table.servicesOf('NOT_CATALOGUED')).toEqual([]);
    expect(table.resolve('MCCI_IN010000UK13').services).toEqual(services);
  });

  it('catalogues replies beside the requests they answer', () => {
    const ids = Object.keys(table.catalogue.interactions);
    for (const [reply, request] of [
      ['QUPC_IN160102UK05', 'QUPC_IN160101UK05'],
      ['QUPA_IN050000UK32', 'QUPA_IN040000UK32'],
    ] as const) {
      expect(table.catalogue.interactions[reply]).toMatchObject({ replyTo: request, direction: 'inbound' });
      expect(ids.indexOf(reply)).toBe(ids.indexOf(request) + 1);
      expect(table.catalogue.interactions[reply]!.service).toBe(
        table.catalogue.interactions[request]!.service,
      );
    }
  });

  it('names interactions where a public source does, and says nothing where none does', () => {
    expect(table.interactionName('QUPC_IN160102UK05')).toBe('PSIS Document List Data Retrieval');
    expect(table.interactionName('COPC_IN000001UK01')).toBe('Common Content Forward Reliable (GP2GP)');
    expect(table.interactionName('PRSC_IN080000UK07')).toBe('Request Available Slots');
    expect(table.interactionName('PORX_IN020101UK31')).toBeUndefined();
    expect(table.interactionName('NOT_CATALOGUED')).toBeUndefined();
  });

  it('knows an interaction without a route, and says what its route lacks', () => {
    expect(table.has('PORX_IN020101UK31')).toBe(true);
    expect(table.isRouted('PORX_IN020101UK31')).toBe(false);
    expect(table.routed()).not.toContain('PORX_IN020101UK31');
    expect(() => table.resolve('PORX_IN020101UK31')).toThrow(
      new RoutingError(
        'route for PORX_IN020101UK31 has no cpaId (neither SDS nor the routes file gives one)',
      ),
    );
    expect(table.findByCpaId('S918999714114')?.interactionId).toBe('PRSC_IN080000UK07');
  });

  it('routes any catalogued interaction the routes file or SDS gives a route', () => {
    const table = loadRouteTable(
      interactions,
      routesFile({ defaults, routes: { PORX_IN020101UK31: { cpaId: 'S1' } } }),
    );
    expect(table.resolve('PORX_IN020101UK31')).toMatchObject({
      service: 'urn:nhs:names:services:mm',
      workflow: 'async-reliable',
      reliability: { ackRequested: 'always', duplicateElimination: 'always' },
    });
    const learned = table.withOverrides({ COPC_IN000001UK01: { cpaId: 'S2' } });
    expect(learned.resolve('COPC_IN000001UK01')).toMatchObject({
      workflow: 'forward-reliable',
      reliability: { actor: 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH' },
    });
    expect(learned.findByCpaId('S2')?.interactionId).toBe('COPC_IN000001UK01');
  });

  it('still stops start-up on a routes-file entry that cannot be resolved', () => {
    const file = routesFile({
      defaults: { endpoint: 'https://spine.example/x' },
      routes: { PORX_IN020101UK31: { cpaId: 'S1' } },
    });
    expect(() => loadRouteTable(interactions, file)).toThrow('route for PORX_IN020101UK31 has no toPartyKey');
  });

  it('signs only where the routes file says so (Spine does not sign)', () => {
    const table = loadRouteTable(
      interactions,
      routesFile({ defaults: { ...defaults, cpaId: 'S1' }, routes: { REPC_IN150016UK05: { sign: true } } }),
    );
    expect(table.resolve('PRSC_IN090000UK09').sign).toBe(false);
    expect(table.resolve('REPC_IN150016UK05').sign).toBe(true);
    expect(loadRouteTable(interactions, shippedRoutes).resolve('PRSC_IN090000UK09').sign).toBe(false);
  });

  it('refuses a reply naming a request the catalogue does not hold', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mhs-catalogue-')), 'interactions.json');
    writeFileSync(
      file,
      JSON.stringify({
        reliabilityProfiles: {},
        interactions: {
          QUPC_IN160102UK05: {
            service: 's',
            workflow: 'sync',
            direction: 'inbound',
            reliability: 'r',
            replyTo: 'QUPC_IN160101UK05',
          },
        },
      }),
    );
    expect(() => loadRouteTable(file, shippedRoutes)).toThrow(
      'names uncatalogued request "QUPC_IN160101UK05"',
    );
  });
});
