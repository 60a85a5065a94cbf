import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfigFile, packageRoot } from '../../../src/config/index.js';
import { loadRouteTable, parseDuration, reliabilityFlags } from '../../../src/routing/index.js';

const interactions = join(packageRoot, 'config', 'interactions.json');
const routes = join(packageRoot, 'config', 'routes.json');

describe('parseDuration', () => {
  it.each([
    ['PT2S', 2000],
    ['PT1M', 60_000],
    ['PT0.5S', 500],
    ['PT3H', 10_800_000],
    ['P1D', 86_400_000],
    ['pt10m', 600_000],
  ])('%s is %d ms', (value, ms) => expect(parseDuration(value)).toBe(ms));
  it.each(['', 'P', 'PT', '2S', 'PTXS'])('%s is refused', (value) =>
    expect(parseDuration(value)).toBeUndefined(),
  );
});

describe('RouteTable', () => {
  it('resolves a Choose and Book route with SDS reliability (group B)', () => {
    expect(defaultConfigFile).toContain('default.json');
    const table = loadRouteTable(interactions, routes);
    const route = table.resolve('PRSC_IN090000UK09');
    expect(route).toMatchObject({
      service: 'urn:nhs:names:services:ebs',
      action: 'PRSC_IN090000UK09',
      workflow: 'forward-reliable',
      cpaId: 'S918999714115',
      retryIntervalMs: 60_000,
      persistDurationMs: 600_000,
    });
    expect(reliabilityFlags(route)).toEqual({
      duplicateElimination: true,
      syncReply: false,
      ackRequested: { actor: 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH', signed: false },
    });
  });

  it('takes flags from reliability data, not from the workflow name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-routes-'));
    const file = join(dir, 'routes.json');
    writeFileSync(
      file,
      JSON.stringify({
        defaults: {
          endpoint: 'https://spine.example/x',
          toPartyKey: 'YES-0000806',
          cpaId: 'S1',
          toAsid: '928942012545',
        },
        routes: {
          PRSC_IN090000UK09: {
            reliability: {
              duplicateElimination: 'Never',
              ackRequested: 'never',
              syncReplyMode: 'MSHSignalsOnly',
            },
          },
        },
      }),
    );
    const route = loadRouteTable(interactions, file).resolve('PRSC_IN090000UK09');
    expect(reliabilityFlags(route)).toEqual({ duplicateElimination: false, syncReply: true });
  });

  it('resolves the inbound signature policy per route, with safe defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-routes-'));
    const file = join(dir, 'routes.json');
    writeFileSync(
      file,
      JSON.stringify({
        defaults: {
          endpoint: 'https://spine.example/x',
          toPartyKey: 'YES-0000806',
          cpaId: 'S1',
          toAsid: '928942012545',
        },
        routes: { PRSC_IN080000UK07: { requireSignature: true, allowSha1: true } },
      }),
    );
    const table = loadRouteTable(interactions, file);
    expect(table.resolve('PRSC_IN080000UK07')).toMatchObject({ requireSignature: true, allowSha1: true });
    const other = table.resolve('PRSC_IN040000UK08');
    expect(other.allowSha1).toBe(false);
    expect(other).not.toHaveProperty('requireSignature');
  });

  it('takes the reply timeout from the route, then the defaults, then one hour; refuses one that is not a duration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-routes-'));
    const file = join(dir, 'routes.json');
    const write = (defaults: Record<string, unknown>, routes: Record<string, unknown>) =>
      writeFileSync(
        file,
        JSON.stringify({
          defaults: {
            endpoint: 'https://spine.example/x',
            toPartyKey: 'YES-0000806',
            cpaId: 'S1',
            toAsid: '928942012545',
            ...defaults,
          },
          routes,
        }),
      );
    write({ replyTimeout: 'PT30M' }, { PRSC_IN090000UK09: { replyTimeout: 'PT5M' } });
    const table = loadRouteTable(interactions, file);
    expect(table.resolve('PRSC_IN090000UK09').replyTimeoutMs).toBe(5 * 60_000);
    expect(table.resolve('PRSC_IN100000UK06').replyTimeoutMs).toBe(30 * 60_000);
    write({}, {});
    expect(loadRouteTable(interactions, file).resolve('PRSC_IN100000UK06').replyTimeoutMs).toBe(60 * 60_000);
    write({}, { PRSC_IN090000UK09: { replyTimeout: 'an hour' } });
    expect(() => loadRouteTable(interactions, file)).toThrow(/replyTimeout/);
  });

  it('refuses an unknown interaction and finds routes by CPA id', () => {
    const table = loadRouteTable(interactions, routes);
    expect(() => table.resolve('PRSC_IN999999UK99')).toThrow('unknown interaction PRSC_IN999999UK99');
    expect(table.findByCpaId('S918999714114')?.interactionId).toBe('PRSC_IN080000UK07');
  });

  it('stops on a catalogue naming an unknown workflow (the NHS adaptor\'s "Forward Express" bug)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-routes-'));
    const file = join(dir, 'interactions.json');
    writeFileSync(
      file,
      JSON.stringify({
        reliabilityProfiles: {},
        interactions: {
          PRSC_IN080000UK03: {
            name: 'x',
            service: 's',
            workflow: 'Forward Express',
            direction: 'inbound',
            reliability: 'r',
          },
        },
      }),
    );
    expect(() => loadRouteTable(file, routes)).toThrow(
      /interactions\.PRSC_IN080000UK03\.workflow unknown workflow "Forward Express"/,
    );
  });
});
