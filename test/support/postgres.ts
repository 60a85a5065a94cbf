import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';

/**
 * A PostgreSQL database of its own for one test run (`mhs_test_<pid>_<random>`), so concurrent runs never share
 * tables. MHS_TEST_POSTGRES_URL names the server's maintenance database; the default is the local trust setup.
 */
export interface TestDatabase {
  name: string;
  /** Connection string for the new database. */
  url: string;
  /** The new database with `search_path` set to `schema` (created first), for a store of its own inside it. */
  schemaUrl(schema: string): Promise<string>;
  remove(): Promise<void>;
}

export const adminUrl =
  process.env.MHS_TEST_POSTGRES_URL ??
  `postgres://${encodeURIComponent(userInfo().username)}@127.0.0.1:5432/postgres`;

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `mhs_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, `create test database ${name}`, (client) =>
    client.query(`CREATE DATABASE ${name}`),
  );
  const url = databaseUrl(adminUrl, name);
  return {
    name,
    url,
    schemaUrl: async (schema) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(schema))
        throw new Error(`schema name ${schema} is not a plain identifier`);
      await withClient(url, `create schema ${schema}`, (client) => client.query(`CREATE SCHEMA ${schema}`));
      const withSchema = new URL(url);
      withSchema.searchParams.set('options', `-c search_path=${schema}`);
      return withSchema.toString();
    },
    remove: async () => {
      // FORCE ends any connection a failed test left open.
      await withClient(adminUrl, `drop test database ${name}`, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).catch(() => {});
    },
  };
}

function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, what: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    throw new Error(
      `cannot ${what} (is PostgreSQL running on ${new URL(url).host}?): ${(error as Error).message}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}
