// A message store that cannot be reached is a 503 the PAS may retry, never a 500: for SQLite's thread
// once closed, and for a PostgreSQL that refuses the connection (the real driver's errors).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiDependencies, createApi } from '../../../src/api/index.js';
import { cabRequestSchemas } from '../../../src/cab/index.js';
import { packageRoot } from '../../../src/config/index.js';
import { OutboundSubmission } from '../../../src/outbound/index.js';
import { loadRouteTable } from '../../../src/routing/index.js';
import {
  DuplicateMessageError,
  isStoreUnavailable,
  type MessageStore,
  PostgresMessageStore,
  ThreadedSqliteStore,
} from '../../../src/store/index.js';
import { silent } from '../inbound/setup.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const routes = loadRouteTable(
  join(packageRoot, 'config', 'interactions.json'),
  join(packageRoot, 'config', 'routes.json'),
);

function api(store: MessageStore) {
  // The real submission: accepting a message starts by storing it.
  const submission = new OutboundSubmission({
    partyKey: 'RTX-821088',
    asid: '918999198738',
    routes,
    store,
    broker: {
      publish: async () => {
        throw new Error('nothing is queued before it is stored');
      },
    },
    signingIdentity: () => undefined,
    signatureAlgorithm: 'rsa-sha256',
  });
  return createApi({
    store,
    submission,
    routes,
    asid: '918999198738',
    processingCode: 'P',
    cabSchemas: cabRequestSchemas(),
    logger: silent,
    readinessChecks: [],
    maxBodyBytes: 1_000_000,
    auth: { mode: 'none' },
  } as unknown as ApiDependencies);
}

describe('a message store that cannot be reached', () => {
  let dir: string;
  let closedSqlite: ThreadedSqliteStore;
  let refusedPostgres: PostgresMessageStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mhs-store-down-'));
    closedSqlite = await ThreadedSqliteStore.open(join(dir, 'state.db'));
    await closedSqlite.close();
    const pool = new pg.Pool({ host: '127.0.0.1', port: await closedPort(), connectionTimeoutMillis: 2_000 });
    pool.on('error', () => {});
    refusedPostgres = new PostgresMessageStore(pool);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is told apart from other failures by the errors the stores really throw', async () => {
    const sqliteError = await closedSqlite.get('M-1').catch((error: unknown) => error);
    const postgresError = await refusedPostgres.get('M-1').catch((error: unknown) => error);
    expect(isStoreUnavailable(sqliteError)).toBe(true);
    expect(isStoreUnavailable(postgresError)).toBe(true);
    expect(isStoreUnavailable(new DuplicateMessageError('M-1'))).toBe(false);
    expect(isStoreUnavailable(new TypeError("Cannot read properties of undefined (reading 'status')"))).toBe(
      false,
    );
  });

  /** Each store as it is when it cannot be reached (made in beforeAll, hence read late). */
  const unreachableStores: [string, () => MessageStore][] = [
    ['SQLite, its thread closed', () => closedSqlite],
    ['PostgreSQL, refusing connections', () => refusedPostgres],
  ];

  it.each(unreachableStores)(
    'answers 503 Store unavailable with Retry-After, not 500 (%s)',
    async (_label, store) => {
      const answer = await request(api(store())).get('/messages/M-1');
      expectStoreUnavailable(answer);
    },
  );

  it.each(unreachableStores)(
    'answers a submission it cannot store the same way (%s)',
    async (_label, store) => {
      const app = api(store());
      const path = '/cab/slot-cancellations';
      const documented = (await request(app).get('/openapi.json')).body.paths[path].post;
      const example = documented.requestBody.content['application/json'].example;
      const answer = await request(app).post(path).send(example);
      expectStoreUnavailable(answer);
    },
  );
});

/** 503, Retry-After and the problem that says so. */
function expectStoreUnavailable(answer: request.Response): void {
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toBe('5');
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({
    title: 'Store unavailable: try again later',
    detail: 'the gateway cannot reach its message store now',
  });
}
