import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, packageRoot } from '../../../src/config/index.js';
import { parseComposeSubset } from './yaml-subset.js';

const compose = parseComposeSubset(readFileSync(join(packageRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<
    string,
    {
      image?: string;
      build?: string;
      command?: string[];
      environment?: Record<string, string>;
      ports?: string[];
      volumes?: string[];
      depends_on?: string[];
    }
  >;
};
const services = compose.services;
const gateways = Object.entries(services).filter(([name]) => name.startsWith('gateway'));
/** `${VAR:-default}` as docker compose would substitute it with VAR unset. */
const substitute = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const hostPort = (mapping: string) => Number(mapping.split(':')[0]);
const containerPort = (mapping: string) => Number(mapping.split(':')[1]);

describe('docker-compose.yml', () => {
  it('has RabbitMQ with its management port, PostgreSQL, two gateways and the simulator', () => {
    expect(Object.keys(services).sort()).toEqual([
      'gateway-1',
      'gateway-2',
      'postgres',
      'rabbitmq',
      'simulator',
    ]);
    expect(services.rabbitmq!.image).toBe('rabbitmq:3.10-management');
    expect(services.rabbitmq!.ports).toEqual(['5672:5672', '15672:15672']);
    expect(services.postgres!.image).toMatch(/^postgres:\d+$/);
    for (const name of ['gateway-1', 'gateway-2', 'simulator']) expect(services[name]!.build).toBe('.');
  });

  it('every MHS_* variable is a configuration key, and each service loads a valid configuration', () => {
    for (const [, service] of Object.entries(services)) {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {})
          .filter(([key]) => key.startsWith('MHS_'))
          .map(([key, value]) => [key, substitute(value)]),
      );
      if (Object.keys(env).length === 0) continue;
      // loadConfig refuses any MHS_* variable that is not a key, and any invalid value.
      expect(() => loadConfig({ env })).not.toThrow();
    }
  });

  it('the gateways have distinct instance ids and host ports, and publish the configured container ports', () => {
    expect(gateways).toHaveLength(2);
    const ids = gateways.map(([, s]) => s.environment!.MHS_INSTANCE_ID);
    expect(new Set(ids).size).toBe(2);
    const allHostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map(hostPort));
    expect(new Set(allHostPorts).size).toBe(allHostPorts.length);
    for (const [, gateway] of gateways) {
      const config = loadConfig({
        env: Object.fromEntries(Object.entries(gateway.environment!).map(([k, v]) => [k, substitute(v)])),
      });
      expect(gateway.command).toEqual(['start']);
      expect(gateway.ports!.map(containerPort).sort()).toEqual([config.api.port, config.inbound.port].sort());
      expect(config.api.host).toBe('0.0.0.0');
      expect(config.store).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      expect(config.amqp.url).toContain('@rabbitmq:5672');
      expect(config.sds.url).toBe(`http://simulator:${loadConfig({ env: {} }).simulator.controlPort}/sds`);
      expect(gateway.depends_on).toEqual(expect.arrayContaining(['rabbitmq', 'postgres']));
    }
  });

  it('the simulator publishes its configured Spine and control ports', () => {
    const sim = services.simulator!;
    const config = loadConfig({
      env: Object.fromEntries(Object.entries(sim.environment!).map(([k, v]) => [k, substitute(v)])),
    });
    expect(sim.command).toEqual(['simulate']);
    expect(sim.ports!.map(containerPort).sort()).toEqual(
      [config.simulator.port, config.simulator.controlPort].sort(),
    );
    expect(new URL(config.simulator.gatewayInboundUrl).hostname).toBe('gateway-1');
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(packageRoot, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').map((l) => l.trim());

  it('is multi-stage, runs as a non-root user and has a health check on /healthz', () => {
    expect(lines.filter((l) => /^FROM\s/.test(l)).length).toBeGreaterThanOrEqual(2);
    const user = lines.filter((l) => /^USER\s/.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/\broot\b|\s0$/);
    expect(text).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
  });

  it('copies only files that exist and starts bin/mhs-gateway.js', () => {
    const sources = lines
      .filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))
      .flatMap((l) =>
        l
          .replace(/^COPY\s+/, '')
          .split(/\s+/)
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(join(packageRoot, source)), source).toBe(true);
    const entry = lines.find((l) => /^ENTRYPOINT\s/.test(l)) ?? '';
    const cmd = lines.find((l) => /^CMD\s/.test(l)) ?? '';
    expect(`${entry} ${cmd}`).toContain('bin/mhs-gateway.js');
    expect(JSON.parse(entry.replace(/^ENTRYPOINT\s+/, ''))).toEqual(['node', 'bin/mhs-gateway.js']);
  });
});

describe('parseComposeSubset', () => {
  it('refuses what it does not understand instead of misreading it', () => {
    expect(() => parseComposeSubset('a:\n  b: &anchor "x"\n')).toThrow(/line 2/);
    expect(() => parseComposeSubset('a:\n   b: "x"\n')).toThrow(/indent/);
    expect(parseComposeSubset('a:\n  b: ["x", "y"]\n  c:\n    - "1:2"\n')).toEqual({
      a: { b: ['x', 'y'], c: ['1:2'] },
    });
  });
});
