/** A store setting fit for logs: the password (in the URL or a `password=` parameter) becomes `***`. */
export function redactStoreSetting(setting: string): string {
  return setting.replace(/\/\/([^/@:]*):[^/]*@/, '//$1:***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}

/** `host:port/database` of a PostgreSQL connection string, for error messages (never the password). */
export function postgresTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const host = url.searchParams.get('host') ?? (url.hostname || 'localhost');
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    return `${host}:${url.port || '5432'}/${database}`;
  } catch {
    return redactStoreSetting(connectionString);
  }
}
