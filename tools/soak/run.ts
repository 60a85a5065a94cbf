import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERS_REQUEST, wrapPayload } from '#src/hl7/index.js';
import { type SoakEnvironment, startEnvironment } from './environment.js';
import { GatewayApis } from './gateways.js';
import { SoakPas } from './pas.js';
import { type ChaosEvent, type FaultEvent, makePlan } from './plan.js';
import { Random } from './random.js';
import { countUnfinished, readStore } from './store-view.js';
import { type SoakSummary, summarise } from './summary.js';

export interface SoakOptions {
  /** Exchanges to drive: PAS notifications and e-RS requests (each answered by the PAS). */
  messages: number;
  seed: number;
  /** Share of exchanges the PAS starts (the rest are e-RS requests). */
  outboundShare: number;
  /** Exchanges being started at once. */
  concurrency: number;
  /** Most accepted messages awaiting their outcome before the driver waits. */
  maxOutstanding: number;
  kills: number;
  brokerRestarts: number;
  brokerMode: 'own' | 'shared';
  /** Longest wait, after driving, for every message to reach a final state. */
  settleTimeoutMs: number;
  /** Keep the temp folder (logs, PKI) afterwards. */
  keepDir: boolean;
  progress: (line: string) => void;
}

export const DEFAULT_SOAK: Omit<SoakOptions, 'seed' | 'progress'> = {
  messages: 1_000,
  outboundShare: 0.5,
  concurrency: 8,
  maxOutstanding: 200,
  kills: 3,
  brokerRestarts: 1,
  brokerMode: 'own',
  settleTimeoutMs: 180_000,
  keepDir: false,
};

/** What the driver saw of each e-RS request it had the simulator send. */
export interface InboundSent {
  messageId: string;
  interactionId: string;
  /** The gateway acknowledged it (to the first or the duplicate copy): it must reach the PAS. */
  acknowledged: boolean;
  duplicated: boolean;
  refused?: string;
}

export interface RunRecord {
  startedAt: number;
  driven: { notifications: number; requests: number };
  inbound: InboundSent[];
  /** Notifications the gateway did not accept (no 202): not lost, the PAS knows. */
  notAccepted: string[];
  faultsInjected: Record<string, number>;
  kills: { instance: string; atMessage: number; downMs: number }[];
  brokerRestarts: { atMessage: number; downMs: number }[];
  /** Notifications retried after a try got no HTTP answer. */
  notificationsRetriedAfterLostResponse: number;
  /** What went wrong in the soak's own machinery (an instance that would not start again…): the run is not valid. */
  errors: string[];
}

/** One soak run: start everything, drive, break things, settle, count. Cleans up whatever happens. */
export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const random = new Random(options.seed);
  const plan = makePlan(options.messages, random, options);
  const env = await startEnvironment({
    brokerMode: options.brokerMode,
    instances: 2,
    progress: options.progress,
  });
  const stopOnSignal = () => {
    options.progress('soak: interrupted; cleaning up');
    void env.close({ keepDir: options.keepDir }).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const apis = new GatewayApis(env.gateways, random);
  const pas = new SoakPas(apis, random, { rejectShare: 0.1 });
  const record: RunRecord = {
    startedAt: Date.now(),
    driven: { notifications: 0, requests: 0 },
    inbound: [],
    notAccepted: [],
    faultsInjected: {},
    kills: [],
    brokerRestarts: [],
    notificationsRetriedAfterLostResponse: 0,
    errors: [],
  };
  try {
    await pas.connect(env.broker.url);
    const driver = new Driver(env, apis, pas, random, options, record);
    await driver.drive(plan.faults, plan.chaos);
    options.progress(
      `soak: driven ${options.messages} exchanges in ${seconds(Date.now() - record.startedAt)}; settling`,
    );
    const settled = await settle(env, pas, record, options);
    const store = await readStore(env.database.url);
    return summarise({ options, record, pas, store, settled, env, plan });
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await pas.close().catch(() => undefined);
    await env.close({ keepDir: options.keepDir });
  }
}

class Driver {
  private started = 0;
  /** One kill at a time, whatever the plan says. */
  private killing = false;
  private readonly random: Random;

  constructor(
    private readonly env: SoakEnvironment,
    private readonly apis: GatewayApis,
    private readonly pas: SoakPas,
    random: Random,
    private readonly options: SoakOptions,
    private readonly record: RunRecord,
  ) {
    this.random = random;
  }

  async drive(faults: FaultEvent[], chaos: ChaosEvent[]): Promise<void> {
    const progress = setInterval(() => this.report(), 5_000);
    try {
      const background = [
        this.guard('faults', this.runFaults(faults)),
        this.guard('chaos', this.runChaos(chaos)),
      ];
      const workers = Array.from({ length: this.options.concurrency }, () => this.work());
      await Promise.all(workers);
      // Crashes and faults still due (a short run can end first) still happen, so each run has them.
      this.started = Number.MAX_SAFE_INTEGER;
      await Promise.all(background);
      await Promise.all(this.periods);
      await this.putFaults({ applicationAck: 'AA', dropAcks: false, delayMs: 0, responseDelayMs: 0 });
    } finally {
      clearInterval(progress);
    }
  }

  private report(): void {
    const r = this.record;
    this.options.progress(
      `soak: ${Math.min(this.started, this.options.messages)}/${this.options.messages} started, ${this.pas.accepted.size} accepted, ${this.pas.outstanding} awaiting an outcome, ${r.kills.length} kills, ${r.brokerRestarts.length} RabbitMQ restarts, ${seconds(Date.now() - r.startedAt)}`,
    );
  }

  private async work(): Promise<void> {
    for (;;) {
      if (this.started >= this.options.messages) return;
      const index = this.started++;
      while (this.pas.outstanding > this.options.maxOutstanding) await sleep(50);
      const outbound = this.random.chance(this.options.outboundShare);
      await this.guard(`exchange ${index}`, outbound ? this.notification(index) : this.request());
    }
  }

  /** Records a failure of the soak's own machinery instead of crashing with everything left running. */
  private async guard(what: string, work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (error) {
      const message = `${what}: ${(error as Error).message}`;
      this.record.errors.push(message);
      this.options.progress(`soak: ERROR ${message}`);
    }
  }

  /** The PAS starts a conversation: a slot cancellation (C&B JSON) or a REPC message (MHS-compatible POST /). */
  private async notification(index: number): Promise<void> {
    this.record.driven.notifications += 1;
    if (index % 3 === 2) {
      const messageId = randomUUID().toUpperCase();
      const interactionId = 'REPC_IN150016UK05';
      const payload = wrapPayload(
        {
          interactionId,
          messageId,
          creationTime: new Date(),
          toAsid: '928942012545',
          fromAsid: '918999198738',
        },
        undefined,
      );
      const result = await this.apis.post(
        '/',
        { payload },
        { 'Interaction-Id': interactionId, 'wait-for-response': 'false', 'Message-Id': messageId },
      );
      if (result.answerLost) this.record.notificationsRetriedAfterLostResponse += 1;
      // 409 after a try that got no answer: that try was accepted (the Message-Id is the PAS's idempotency key).
      if (result.status === 202 || (result.status === 409 && result.answerLost)) {
        this.pas.recordAccepted({ messageId, interactionId, origin: 'notification' });
      } else this.record.notAccepted.push(`POST / ${messageId}: HTTP ${result.status}`);
      return;
    }
    const result = await this.apis.post('/cab/slot-cancellations', { usrns: [randomUUID()] });
    if (result.answerLost) this.record.notificationsRetriedAfterLostResponse += 1;
    if (result.status === 202) {
      this.pas.recordAccepted({
        messageId: String(result.body.messageId),
        interactionId: 'PRSC_IN100000UK06',
        origin: 'notification',
      });
    } else this.record.notAccepted.push(`POST /cab/slot-cancellations: HTTP ${result.status}`);
  }

  /** e-RS sends a request through the simulator; the PAS answers it when it reads it from mhs.inbound. */
  private async request(): Promise<void> {
    this.record.driven.requests += 1;
    const which = this.random.pick([
      ['slot-polls', ERS_REQUEST.availableSlots],
      ['slot-polls', ERS_REQUEST.availableSlots],
      ['booking-requests', ERS_REQUEST.appointmentConfirmation],
      ['cancellation-requests', ERS_REQUEST.appointmentCancellation],
    ] as const);
    const [path, interactionId] = which;
    try {
      const response = await fetch(`${this.env.control}/control/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(path === 'slot-polls' ? { clinicId: `SOAK-${this.random.int(1, 20)}` } : {}),
        signal: AbortSignal.timeout(120_000),
      });
      const body = (await response.json()) as {
        messageId?: string;
        gatewayResponse?: { status?: number; kind?: string };
        duplicateResponse?: { status?: number; kind?: string };
        detail?: string;
      };
      const acked = (answer?: { status?: number; kind?: string }) =>
        answer?.status === 200 && answer.kind === 'acknowledgment';
      const sent: InboundSent = {
        messageId: body.messageId ?? '',
        interactionId,
        acknowledged: acked(body.gatewayResponse) || acked(body.duplicateResponse),
        duplicated: body.duplicateResponse !== undefined,
      };
      if (!sent.acknowledged)
        sent.refused = `simulator: HTTP ${response.status} ${JSON.stringify(body.gatewayResponse ?? body.detail ?? '').slice(0, 200)}`;
      this.record.inbound.push(sent);
    } catch (error) {
      this.record.inbound.push({
        messageId: '',
        interactionId,
        acknowledged: false,
        duplicated: false,
        refused: `simulator control call failed: ${(error as Error).message}`,
      });
    }
  }

  private async runFaults(events: FaultEvent[]): Promise<void> {
    for (const event of events) {
      await this.reach(event.at);
      await this.putFaults(event.set);
      this.record.faultsInjected[event.name] = (this.record.faultsInjected[event.name] ?? 0) + 1;
      // A period ends on its own timer, so the next fault is not held back by it.
      if (event.forMs && event.reset) {
        const reset = event.reset;
        this.periods.push(sleep(event.forMs).then(() => this.putFaults(reset)));
      }
    }
  }

  private readonly periods: Promise<void>[] = [];

  /** Each crash at its own point of the run, so a slow restart never pushes the next one past the traffic. */
  private async runChaos(events: ChaosEvent[]): Promise<void> {
    await Promise.all(
      events.map(async (event) => {
        await this.reach(event.at);
        await this.guard(event.kind, event.kind === 'kill' ? this.kill(event) : this.restartBroker(event));
      }),
    );
  }

  /** SIGKILL one live instance at a random moment, and start it again after a pause. */
  private async kill(event: ChaosEvent): Promise<void> {
    // Never the last live instance: the PAS must have somewhere to go (wait for one coming back).
    const deadline = Date.now() + 120_000;
    while (this.killing || this.env.gateways.some((g) => !g.process.up)) {
      if (Date.now() > deadline) throw new Error('no second live instance to keep while killing one');
      await sleep(100);
    }
    this.killing = true;
    try {
      await this.killOne(event);
    } finally {
      this.killing = false;
    }
  }

  private async killOne(event: ChaosEvent): Promise<void> {
    const live = this.env.gateways.filter((g) => g.process.up);
    const victim = this.random.pick(live);
    const at = Math.min(this.started, this.options.messages);
    const down = Date.now();
    this.options.progress(`soak: SIGKILL ${victim.name} at exchange ${at}`);
    await victim.process.kill();
    const kill = { instance: victim.name, atMessage: at, downMs: -1 };
    this.record.kills.push(kill);
    await sleep(event.pauseMs);
    await victim.process.start();
    kill.downMs = Date.now() - down;
  }

  private async restartBroker(event: ChaosEvent): Promise<void> {
    const at = Math.min(this.started, this.options.messages);
    this.options.progress(`soak: restarting RabbitMQ at exchange ${at}`);
    const { downMs } = await this.env.broker.restart(event.pauseMs);
    this.record.brokerRestarts.push({ atMessage: at, downMs });
  }

  private async reach(index: number): Promise<void> {
    while (this.started < index) await sleep(20);
  }

  private async putFaults(faults: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.env.control}/control/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(faults),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`PUT /control/faults answered ${response.status}`);
  }
}

/**
 * Waits until nothing is in flight: every outbound message final, every inbound one delivered,
 * every answer posted and every outcome read by the PAS, for a few seconds running; or the timeout.
 */
async function settle(
  env: SoakEnvironment,
  pas: SoakPas,
  record: RunRecord,
  options: SoakOptions,
): Promise<boolean> {
  const deadline = Date.now() + options.settleTimeoutMs;
  let quietSince: number | undefined;
  let lastOutstanding = -1;
  let lastReport = 0;
  for (;;) {
    // A crashed instance (not one the soak killed) comes back, as an orchestrator would bring it.
    for (const gateway of env.gateways)
      if (!gateway.process.up) await gateway.process.start().catch(() => undefined);
    const unfinished = await countUnfinished(env.database.url).catch(() => ({ outbound: -1, inbound: -1 }));
    const undelivered = record.inbound.filter((r) => r.acknowledged && !pas.requests.has(r.messageId)).length;
    const busy = unfinished.outbound + unfinished.inbound + pas.answering + undelivered;
    // Outcomes may still be on their way to the PAS; one that never comes is counted, not waited for.
    const outstanding = pas.outstanding;
    if (busy === 0) {
      if (outstanding !== lastOutstanding) quietSince = undefined;
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= (outstanding === 0 ? 3_000 : 15_000)) return true;
    } else quietSince = undefined;
    lastOutstanding = outstanding;
    if (Date.now() > deadline) return false;
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      options.progress(
        `soak: settling: ${unfinished.outbound} outbound and ${unfinished.inbound} inbound unfinished in the store, ${pas.answering} answers being posted, ${pas.outstanding} outcomes not yet read by the PAS, ${undelivered} acknowledged requests not yet read`,
      );
    }
    await sleep(500);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
