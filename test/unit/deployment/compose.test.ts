import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPki } from '../../../src/cli/pki.js';
import { type GatewayConfig, loadConfig, packageRoot } from '../../../src/config/index.js';
import { loadRouteTable } from '../../../src/routing/index.js';
import { devPkiPaths } from '../../../src/security/pki/index.js';
import { loadTls } from '../../../src/security/tls/index.js';
import { tempDir } from '../security/pki/tools.js';
import { parseComposeSubset } from './yaml-subset.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parseComposeSubset(
  readFileSync(join(packageRoot, 'docker-compose.yml'), 'utf8'),
) as unknown as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const serviceNames = new Set(Object.keys(services));
const gateways = Object.entries(services).filter(([name]) => name.startsWith('gateway'));
/** `${VAR:-default}` as docker compose would substitute it with VAR unset. */
const substitute = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const hostPort = (mapping: string) => Number(mapping.split(':')[0]);
const containerPort = (mapping: string) => Number(mapping.split(':')[1]);

/** A service's volumes: bind mounts (source a path in the repository) and named volumes. */
function mounts(service: Service): { source: string; target: string; named: boolean }[] {
  return (service.volumes ?? []).map((entry) => {
    const [source, target] = entry.split(':') as [string, string];
    return { source, target, named: !source.startsWith('.') && !source.startsWith('/') };
  });
}

/** The repository file a container path comes from, through the service's bind mounts. */
function fromRepository(service: Service, containerPath: string): string | undefined {
  for (const mount of mounts(service)) {
    if (mount.named) continue;
    const rest = posix.relative(mount.target, containerPath);
    if (!rest.startsWith('..') && !posix.isAbsolute(rest)) return join(packageRoot, mount.source, rest);
  }
  return undefined;
}

/** The named volume (and the path inside it) a container path lies in, if any. */
function inVolume(service: Service, containerPath: string): { volume: string; path: string } | undefined {
  for (const mount of mounts(service)) {
    if (!mount.named) continue;
    const rest = posix.relative(mount.target, containerPath);
    if (!rest.startsWith('..') && !posix.isAbsolute(rest)) return { volume: mount.source, path: rest };
  }
  return undefined;
}

/** The configuration a service runs with: its MHS_CONFIG file (from the repository) under its MHS_* variables. */
function serviceConfig(service: Service): GatewayConfig {
  const env = Object.fromEntries(
    Object.entries(service.environment ?? {})
      .filter(([key]) => key.startsWith('MHS_'))
      .map(([key, value]) => [key, substitute(value)]),
  );
  const { MHS_CONFIG: file, ...rest } = env;
  const hostFile = file ? fromRepository(service, file) : undefined;
  if (file) expect(hostFile, `${file} is not in a bind mount`).toBeDefined();
  // loadConfig refuses any MHS_* variable that is not a key, and any invalid value.
  return loadConfig({ file: hostFile, env: rest });
}

const pkiInit = services['pki-init']!;
const option = (args: string[], name: string) => args[args.indexOf(name) + 1];
const pkiDir = option(pkiInit.command ?? [], '--dir')!;
const pkiHosts = (option(pkiInit.command ?? [], '--hosts') ?? '').split(',');
const sim = services.simulator!;
const simConfig = serviceConfig(sim);
const gatewayConfigs = gateways.map(([name, service]) => ({ name, service, config: serviceConfig(service) }));
const routesFile = (service: Service, config: GatewayConfig) => fromRepository(service, config.routesFile);

/** Every https host a service calls another by: route endpoints, Spine's intermediary, the callback. */
function calledHosts(): { url: string; from: string }[] {
  const urls: { url: string; from: string }[] = [];
  for (const { name, service, config } of [
    ...gatewayConfigs,
    { name: 'simulator', service: sim, config: simConfig },
  ]) {
    const table = loadRouteTable(config.interactionsFile, routesFile(service, config)!);
    for (const id of table.routed())
      urls.push({ url: table.resolve(id).endpoint, from: `${name} route ${id}` });
    if (config.sds.url) urls.push({ url: config.sds.url, from: `${name} sds.url` });
    if (config.sds.forwardReliableEndpoint)
      urls.push({ url: config.sds.forwardReliableEndpoint, from: `${name} sds.forwardReliableEndpoint` });
  }
  urls.push({ url: simConfig.simulator.gatewayInboundUrl, from: 'simulator gatewayInboundUrl' });
  return urls;
}

describe('docker-compose.yml', () => {
  it('has RabbitMQ with its management port, PostgreSQL, a PKI init, two gateways and the simulator', () => {
    expect([...serviceNames].sort()).toEqual([
      'gateway-1',
      'gateway-2',
      'pki-init',
      'postgres',
      'rabbitmq',
      'simulator',
    ]);
    expect(services.rabbitmq!.image).toBe('rabbitmq:3.10-management');
    expect(services.rabbitmq!.ports).toEqual(['5672:5672', '15672:15672']);
    expect(services.postgres!.image).toMatch(/^postgres:\d+$/);
    for (const name of ['gateway-1', 'gateway-2', 'simulator', 'pki-init'])
      expect(services[name]!.build).toBe('.');
  });

  it('mounts only files that exist and volumes it declares; each service loads a valid configuration', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const mount of mounts(service)) {
        if (mount.named)
          expect(compose.volumes ?? {}, `${name}: volume ${mount.source}`).toHaveProperty(mount.source);
        else expect(existsSync(join(packageRoot, mount.source)), `${name}: ${mount.source}`).toBe(true);
      }
      if (Object.keys(service.environment ?? {}).some((key) => key.startsWith('MHS_')))
        expect(() => serviceConfig(service), name).not.toThrow();
    }
    // The mounted configuration also parses on its own, placeholders and all.
    const file = fromRepository(sim, sim.environment!.MHS_CONFIG!)!;
    expect(statSync(file).isFile()).toBe(true);
    expect(() => loadConfig({ file, env: {} })).not.toThrow();
  });

  it('every file a service reads is mounted: from the repository, or written by pki-init into the shared volume', () => {
    const written = devPkiPaths(pkiDir);
    const initVolume = inVolume(pkiInit, pkiDir);
    expect(initVolume, 'pki-init writes into a named volume').toBeDefined();
    const expectFromInit = (service: Service, path: string, what: string) => {
      expect(Object.values(written), what).toContain(path);
      expect(inVolume(service, path)?.volume, what).toBe(initVolume!.volume);
    };
    for (const { name, service, config } of gatewayConfigs) {
      expect(existsSync(routesFile(service, config) ?? ''), `${name} routesFile`).toBe(true);
      expectFromInit(service, config.tls.cert, `${name} tls.cert`);
      expectFromInit(service, config.tls.key, `${name} tls.key`);
      expectFromInit(service, config.tls.ca, `${name} tls.ca`);
      expect([config.tls.cert, config.tls.key]).toEqual([written.gatewayCert, written.gatewayKey]);
      // The API keys file is the one `docker compose run --rm pki-init apikey create …` writes.
      expect(config.api.auth.mode).toBe('api-key');
      expect(inVolume(service, config.api.auth.keysFile)?.volume).toBe(initVolume!.volume);
      expect(inVolume(pkiInit, config.api.auth.keysFile)).toBeDefined();
    }
    expect(existsSync(routesFile(sim, simConfig) ?? '')).toBe(true);
    const t = simConfig.simulator.tls;
    for (const path of [t.cert, t.key, t.ca]) expectFromInit(sim, path, `simulator ${path}`);
    expect([t.cert, t.key]).toEqual([written.simulatorCert, written.simulatorKey]);
  });

  it('the compose routes are the shipped routes with Spine at the simulator service, and nothing else changed', () => {
    const shipped = readFileSync(join(packageRoot, 'config', 'routes.json'), 'utf8');
    const composed = readFileSync(routesFile(sim, simConfig)!, 'utf8');
    expect(composed).toBe(shipped.replaceAll('https://localhost:9443/', 'https://simulator:9443/'));
  });

  it('services call each other only by compose service names, on the ports those services listen on', () => {
    const called = calledHosts();
    expect(called.length).toBeGreaterThan(10);
    for (const { url, from } of called) {
      const parsed = new URL(url);
      expect(serviceNames.has(parsed.hostname), `${from}: ${url}`).toBe(true);
      const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
      if (parsed.hostname === 'simulator')
        expect([simConfig.simulator.port, simConfig.simulator.controlPort], `${from}: ${url}`).toContain(
          port,
        );
      else {
        const gateway = gatewayConfigs.find((g) => g.name === parsed.hostname)!;
        expect(port, `${from}: ${url}`).toBe(gateway.config.inbound.port);
      }
    }
    expect(new URL(simConfig.simulator.gatewayInboundUrl).hostname).toBe('gateway-1');
    for (const { config } of gatewayConfigs)
      expect(config.sds.url).toBe(`http://simulator:${simConfig.simulator.controlPort}/sds`);
  });

  it('pki-init names every service host that is called over TLS, and every gateway and the simulator', () => {
    expect(pkiInit.command!.slice(0, 2)).toEqual(['pki', 'init']);
    const tlsHosts = calledHosts()
      .filter(({ url }) => url.startsWith('https:'))
      .map(({ url }) => new URL(url).hostname);
    for (const host of new Set([...tlsHosts, ...gateways.map(([name]) => name), 'simulator']))
      expect(pkiHosts, host).toContain(host);
    for (const host of pkiHosts) expect(serviceNames.has(host), host).toBe(true);
  });

  it('the gateways and the simulator start only after pki-init has succeeded, the gateways after their dependencies are healthy', () => {
    for (const [name, service] of [...gateways, ['simulator', sim] as const]) {
      expect(service.depends_on?.['pki-init'], name).toEqual({ condition: 'service_completed_successfully' });
      // Named volumes are mounted read-only where the service only reads them.
      for (const mount of mounts(service).filter((m) => m.named))
        expect(service.volumes, name).toContain(`${mount.source}:${mount.target}:ro`);
    }
    for (const [name, gateway] of gateways)
      for (const dependency of ['rabbitmq', 'postgres', 'simulator'])
        expect(gateway.depends_on?.[dependency], `${name} → ${dependency}`).toEqual({
          condition: 'service_healthy',
        });
    for (const dependency of ['rabbitmq', 'postgres', 'simulator'])
      expect(services[dependency]!.healthcheck?.test.length, dependency).toBeGreaterThan(0);
    // The image's health check probes the gateway's API port; the simulator's is its control port.
    expect(sim.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${simConfig.simulator.controlPort}/`);
  });

  it('the gateways connect with the users RabbitMQ and PostgreSQL create (guest may not log in from another host)', () => {
    const rabbit = services.rabbitmq!.environment!;
    const postgres = services.postgres!.environment!;
    for (const { name, config } of gatewayConfigs) {
      const amqp = new URL(config.amqp.url);
      expect(amqp.hostname, name).toBe('rabbitmq');
      expect(amqp.username, name).toBe(rabbit.RABBITMQ_DEFAULT_USER);
      expect(decodeURIComponent(amqp.password)).toBe(substitute(rabbit.RABBITMQ_DEFAULT_PASS!));
      const store = new URL(config.store);
      expect(store.hostname).toBe('postgres');
      expect(store.port).toBe('5432');
      expect(store.username).toBe(postgres.POSTGRES_USER);
      expect(decodeURIComponent(store.password)).toBe(substitute(postgres.POSTGRES_PASSWORD!));
      expect(store.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    }
  });

  it('the gateways have distinct instance ids and host ports, and publish the configured container ports', () => {
    expect(gateways).toHaveLength(2);
    const ids = gatewayConfigs.map(({ config }) => config.instanceId);
    expect(new Set(ids)).toEqual(new Set(['gateway-1', 'gateway-2']));
    const allHostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map(hostPort));
    expect(new Set(allHostPorts).size).toBe(allHostPorts.length);
    for (const { service, config } of gatewayConfigs) {
      expect(service.command).toEqual(['start']);
      expect(service.ports!.map(containerPort).sort()).toEqual([config.api.port, config.inbound.port].sort());
      expect(config.api.host).toBe('0.0.0.0');
      expect(config.inbound.host).toBe('0.0.0.0');
    }
  });

  it('the simulator publishes its configured Spine and control ports', () => {
    expect(sim.command).toEqual(['simulate']);
    expect(sim.ports!.map(containerPort).sort()).toEqual(
      [simConfig.simulator.port, simConfig.simulator.controlPort].sort(),
    );
    expect([simConfig.simulator.host, simConfig.simulator.controlHost]).toEqual(['0.0.0.0', '0.0.0.0']);
  });
});

describe("docker-compose.yml's pki-init command, run", () => {
  const temp = tempDir('compose-pki');
  const dir = join(temp.dir, 'pki');
  beforeAll(async () => {
    const args = [...pkiInit.command!.slice(1)];
    args[args.indexOf('--dir') + 1] = dir;
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await runPki(args);
    vi.restoreAllMocks();
  });
  afterAll(() => temp.remove());

  it('writes certificates that the services load and that name the hosts they are called by', () => {
    const paths = devPkiPaths(dir);
    const gateway = loadTls({ cert: paths.gatewayCert, key: paths.gatewayKey, ca: paths.caCert });
    const simulator = loadTls({ cert: paths.simulatorCert, key: paths.simulatorKey, ca: paths.caCert });
    for (const [name, loaded] of [
      ['gateway', gateway],
      ['simulator', simulator],
    ] as const) {
      const certificate = new X509Certificate(loaded.cert);
      for (const host of pkiHosts) expect(certificate.checkHost(host), `${name} names ${host}`).toBe(host);
    }
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

  it('creates each compose volume mount point owned by the non-root user, so a new volume is writable', () => {
    const user = lines
      .filter((l) => /^USER\s/.test(l))
      .at(-1)!
      .replace(/^USER\s+/, '');
    const targets = new Set(
      Object.values(services).flatMap((s) =>
        mounts(s)
          .filter((m) => m.named)
          .map((m) => m.target),
      ),
    );
    expect(targets.size).toBeGreaterThan(0);
    for (const target of targets) {
      expect(
        lines.some((l) => /^RUN\s.*mkdir -p/.test(l) && l.split(/\s+/).includes(target)),
        target,
      ).toBe(true);
      expect(
        lines.some((l) => l.includes(`chown ${user}:${user}`) && l.split(/\s+/).includes(target)),
        target,
      ).toBe(true);
    }
  });
});

describe('parseComposeSubset', () => {
  it('refuses what it does not understand instead of misreading it', () => {
    expect(() => parseComposeSubset('a:\n  b: &anchor "x"\n')).toThrow(/line 2/);
    expect(() => parseComposeSubset('a:\n   b: "x"\n')).toThrow(/indent/);
    expect(parseComposeSubset('a:\n  b: ["x", "y"]\n  c:\n    - "1:2"\n  d: {}\n')).toEqual({
      a: { b: ['x', 'y'], c: ['1:2'], d: {} },
    });
    expect(() => parseComposeSubset('a:\n  - {}\n')).toThrow(/nested/);
  });
});
