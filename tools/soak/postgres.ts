import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';

/** The server's maintenance database; the soak creates and drops a database of its own there. */
export function postgresAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.MHS_SOAK_POSTGRES_URL ??
    env.MHS_TEST_POSTGRES_URL ??
    `postgres://${encodeURIComponent(userInfo().username)}@127.0.0.1:5432/postgres`
  );
}

export interface SoakDatabase {
  name: string;
  url: string;
  remove(): Promise<void>;
}

export async function createDatabase(adminUrl: string): Promise<SoakDatabase> {
  const name = `mhs_soak_${process.pid}_${randomBytes(3).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`)).catch((error: Error) => {
    throw new Error(
      `cannot create database ${name} (is PostgreSQL running on ${new URL(adminUrl).host}?): ${error.message}`,
    );
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    remove: async () => {
      // FORCE ends connections a killed gateway left behind.
      await withClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).catch(() => undefined);
    },
  };
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
