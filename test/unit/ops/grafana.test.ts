import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import { GatewayMetrics } from '../../../src/ops/index.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(join(packageRoot, 'config', 'grafana-dashboard.json'), 'utf8')) as {
  title: string;
  uid: string;
  panels: Panel[];
};
const expressions = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

/** The series a metric in the registry exposes: a histogram's _bucket/_sum/_count, everything else its name. */
async function exposedSeries(): Promise<Set<string>> {
  const metrics = new GatewayMetrics();
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    else names.add(metric.name);
  }
  return names;
}

describe('config/grafana-dashboard.json', () => {
  it('references only metrics the gateway exposes', async () => {
    const series = await exposedSeries();
    const referenced = new Set(expressions.flatMap((expr) => expr.match(/\bmhs_[a-z0-9_]+/g) ?? []));
    expect(referenced.size).toBeGreaterThan(10);
    for (const name of referenced) expect(series, name).toContain(name);
  });

  it('has panels for rates, latencies, queue depths, dead letters and certificate expiry', () => {
    for (const needed of [
      'rate(mhs_messages_total',
      'mhs_accepted_to_acknowledged_seconds_bucket',
      'mhs_accepted_to_completed_seconds_bucket',
      'mhs_queue_messages',
      'mhs_dead_letters_total',
      'mhs_certificate_expiry_seconds',
      'mhs_retries_total',
    ])
      expect(
        expressions.some((expr) => expr.includes(needed)),
        needed,
      ).toBe(true);
  });

  it('is importable: unique panel ids, every panel titled and placed on the 24-column grid', () => {
    expect(dashboard.uid).toBe('mhs-gateway');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.title, `panel ${panel.id}`).not.toBe('');
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
    }
  });
});
