export interface ReadinessCheck {
  name: string;
  check: () => Promise<void> | void;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Runs every check; the gateway is ready only when all pass. Each failure says why in one line. */
export async function readiness(checks: ReadinessCheck[]): Promise<Readiness> {
  const results: Readiness['checks'] = {};
  for (const { name, check } of checks) {
    try {
      await check();
      results[name] = { ok: true };
    } catch (error) {
      results[name] = { ok: false, detail: (error as Error).message.split('\n')[0] ?? String(error) };
    }
  }
  return { ready: Object.values(results).every((r) => r.ok), checks: results };
}
