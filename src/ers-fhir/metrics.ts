import { Counter, Gauge, type Registry } from 'prom-client';

/** The e-RS FHIR side's Prometheus metrics, in the gateway's registry. */
export class ErsMetrics {
  private readonly calls: Counter<'endpoint' | 'status'>;
  private readonly tokens: Counter<'outcome'>;
  private readonly events: Counter<'kind'>;
  readonly budgetUsed: Gauge<'service'>;
  readonly budgetLimit: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.calls = new Counter({
      name: 'mhs_ers_fhir_calls_total',
      help: 'Calls to the e-RS FHIR API by endpoint (A005, A008…, object-store) and HTTP status (error = no answer).',
      labelNames: ['endpoint', 'status'],
      registers,
    });
    this.tokens = new Counter({
      name: 'mhs_ers_fhir_token_refreshes_total',
      help: 'Access-token exchanges with the API platform (signed JWT client assertion), by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.events = new Counter({
      name: 'mhs_ers_fhir_events_total',
      help: 'Referral events published on mhs.referrals, by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.budgetUsed = new Gauge({
      name: 'mhs_ers_fhir_a008_budget_used',
      help: 'A008 (fetch worklist) calls spent today per service (Europe/London day), as last seen by this instance.',
      labelNames: ['service'],
      registers,
    });
    this.budgetLimit = new Gauge({
      name: 'mhs_ers_fhir_a008_budget_limit',
      help: 'A008 calls allowed per service per day (ersFhir.dailyA008Budget).',
      registers,
    });
  }

  called(endpoint: string, status: number | 'error'): void {
    this.calls.inc({ endpoint, status: String(status) });
  }

  tokenRefreshed(ok: boolean): void {
    this.tokens.inc({ outcome: ok ? 'ok' : 'failed' });
  }

  published(kind: string): void {
    this.events.inc({ kind });
  }
}
