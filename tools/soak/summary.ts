import { cpus } from 'node:os';
import type { SoakEnvironment } from './environment.js';
import type { SoakPas } from './pas.js';
import type { SoakPlan } from './plan.js';
import type { RunRecord, SoakOptions } from './run.js';
import { isFinal, type StoreView } from './store-view.js';

/** The one JSON line `mhs-gateway soak` prints. `ok` is true only when nothing was lost or delivered twice. */
export interface SoakSummary {
  ok: boolean;
  messages: number;
  seed: number;
  durationSeconds: number;
  driven: { notifications: number; requests: number };
  /** Outbound messages the gateway answered 202 for (notifications and answers to e-RS requests). */
  accepted: number;
  completed: number;
  failed: { total: number; byReason: Record<string, number> };
  lost: {
    total: number;
    /** Accepted, yet not in a final state at the end. */
    outboundNotFinal: number;
    /** Accepted (202), yet not in the store at all. */
    outboundMissing: number;
    /** Acknowledged by the gateway to e-RS, yet never read by the PAS. */
    requestsNotDelivered: number;
    examples: string[];
  };
  /** One business request or reply reaching the PAS under two messageIds. */
  duplicates: { total: number; requests: number; replies: number; examples: string[] };
  /** Final messages whose outcome (application acknowledgement or error) never reached the PAS. */
  outcomesNotDelivered: { total: number; examples: string[] };
  /** Copies under a messageId the PAS had already processed (mhs.inbound is at-least-once; harmless). */
  redeliveriesSameMessageId: number;
  inbound: {
    sent: number;
    acknowledged: number;
    sentTwiceByFault: number;
    notAcknowledged: number;
    deliveredToPas: number;
  };
  /** Requests the gateway did not accept (no 202): the PAS knows, so nothing is lost. */
  notAccepted: { total: number; examples: string[] };
  /** Outbound messages in the store that no 202 reported (an answer lost with a killed instance). */
  storedWithoutAnswer: number;
  answersRefused: string[];
  retriedAfterLostResponse: { notifications: number; answers: number };
  faultsInjected: Record<string, number>;
  kills: { instance: string; atMessage: number; downMs: number }[];
  rabbitmqRestarts: { atMessage: number; downMs: number }[];
  unexpectedExits: string[];
  /** Failures of the soak itself (e.g. an instance that would not start again); any makes the run fail. */
  errors: string[];
  settled: boolean;
  environment: { broker: string; cores: number; node: string };
}

export function summarise(input: {
  options: SoakOptions;
  record: RunRecord;
  pas: SoakPas;
  store: StoreView;
  settled: boolean;
  env: SoakEnvironment;
  plan: SoakPlan;
}): SoakSummary {
  const { options, record, pas, store } = input;
  let completed = 0;
  const byReason: Record<string, number> = {};
  const lostExamples: string[] = [];
  const missingOutcomes: string[] = [];
  let notFinal = 0;
  let missing = 0;
  for (const accepted of pas.accepted.values()) {
    const row = store.outbound.get(accepted.messageId);
    if (!row) {
      missing += 1;
      if (lostExamples.length < 10) lostExamples.push(`${accepted.messageId} accepted but not stored`);
      continue;
    }
    if (!isFinal(row.status)) {
      notFinal += 1;
      if (lostExamples.length < 10)
        lostExamples.push(`${row.messageId} ${row.interactionId} still ${row.status}`);
      continue;
    }
    if (row.status === 'COMPLETED') completed += 1;
    else byReason[row.reason ?? row.status] = (byReason[row.reason ?? row.status] ?? 0) + 1;
    if (!pas.replies.has(row.messageId))
      missingOutcomes.push(
        `${row.messageId} ${row.interactionId} ${row.status}${row.reason ? ` (${row.reason})` : ''}`,
      );
  }
  const notDelivered = record.inbound.filter((r) => r.acknowledged && !pas.requests.has(r.messageId));
  for (const r of notDelivered.slice(0, 10 - Math.min(10, lostExamples.length)))
    lostExamples.push(
      `request ${r.messageId} ${r.interactionId} acknowledged to e-RS, never read by the PAS`,
    );
  const duplicates = pas.duplicates();
  const failedTotal = Object.values(byReason).reduce((a, b) => a + b, 0);
  const lostTotal = notFinal + missing + notDelivered.length;
  const duplicateTotal = duplicates.requests + duplicates.replies;
  const unexpectedExits = [input.env.simulator, ...input.env.gateways.map((g) => g.process)].flatMap(
    (p) => p.unexpectedExits,
  );
  return {
    ok: lostTotal === 0 && duplicateTotal === 0 && missingOutcomes.length === 0 && record.errors.length === 0,
    messages: options.messages,
    seed: options.seed,
    durationSeconds: Math.round((Date.now() - record.startedAt) / 100) / 10,
    driven: record.driven,
    accepted: pas.accepted.size,
    completed,
    failed: { total: failedTotal, byReason },
    lost: {
      total: lostTotal,
      outboundNotFinal: notFinal,
      outboundMissing: missing,
      requestsNotDelivered: notDelivered.length,
      examples: lostExamples,
    },
    duplicates: { total: duplicateTotal, ...duplicates },
    outcomesNotDelivered: { total: missingOutcomes.length, examples: missingOutcomes.slice(0, 10) },
    redeliveriesSameMessageId: pas.redeliveries,
    inbound: {
      sent: record.inbound.length,
      acknowledged: record.inbound.filter((r) => r.acknowledged).length,
      sentTwiceByFault: record.inbound.filter((r) => r.duplicated).length,
      notAcknowledged: record.inbound.filter((r) => !r.acknowledged).length,
      deliveredToPas: pas.requests.size,
    },
    notAccepted: { total: record.notAccepted.length, examples: record.notAccepted.slice(0, 10) },
    storedWithoutAnswer: [...store.outbound.keys()].filter((id) => !pas.accepted.has(id)).length,
    answersRefused: pas.refusedAnswers.slice(0, 10),
    retriedAfterLostResponse: {
      notifications: record.notificationsRetriedAfterLostResponse,
      answers: pas.answersRetriedAfterLostResponse,
    },
    faultsInjected: record.faultsInjected,
    kills: record.kills,
    rabbitmqRestarts: record.brokerRestarts,
    unexpectedExits,
    errors: record.errors.slice(0, 20),
    settled: input.settled,
    environment: { broker: input.env.broker.description, cores: cpus().length, node: process.version },
  };
}
