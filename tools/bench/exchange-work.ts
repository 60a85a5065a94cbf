// The exchange floor's script: the transport work one signed, forward-reliable message costs the
// gateway, from `POST /cab/slot-cancellations` to COMPLETED, counted step by step from src/.
// exchange-gateway.ts (the gateway's side) and exchange-peer.ts (Spine's and e-RS's side) do
// exactly this per message and nothing else: no XML, no signing, no store.
//
// One exchange, one gateway instance (the steps in order):
//
//  1. accept: one confirmed, persistent publish of the work item {messageId} (52 bytes) to
//     mhs.outbound, a quorum queue. src/outbound/submission.ts (OutboundSubmission.store →
//     queueOutboundWork, src/queue/outbound-work.ts → Broker.publish, src/queue/broker.ts: the
//     connection's one confirm channel, src/queue/publish.ts).
//  2. send: the send worker consumes mhs.outbound (manual ack, prefetch amqp.prefetch;
//     src/outbound/worker.ts SendWorker, src/queue/consumers.ts), POSTs the signed message over
//     keep-alive mutual TLS to Spine (MtlsClient.post, src/transport/client.ts; 64 sockets),
//     reads Spine's empty 202 (classify: `accepted`, no publish), and acks the delivery.
//     → mTLS POST 1: the message, ~6.5 KB (the run's own signed envelope); answer 202, empty.
//  3. Spine's ebXML Acknowledgment arrives on the inbound endpoint: src/inbound/signals.ts
//     receiveSignal → publishSignal: one confirmed, persistent publish of the signal (~230 bytes)
//     to mhs.signals (quorum), then the empty 202 (answers.ts signalAccepted).
//     → mTLS POST 2: the Acknowledgment, ~1.5 KB; answer 202, empty.
//  4. correlation consumes mhs.signals (manual ack, prefetch amqp.prefetch;
//     src/correlation/consumer.ts CorrelationConsumer.handle, `acknowledgment`): the move to ACKED
//     tells the PAS nothing, so no outbox publish; no wake-up either (no caller waits on a C&B
//     JSON message: src/outbound/submission.ts mayBeAwaited); then ack.
//  5. e-RS's application acknowledgement (MCCI_IN010000UK13, AA) arrives on the inbound endpoint:
//     src/inbound/business.ts deliver → publishApplicationAck (signals.ts): one confirmed,
//     persistent publish of the signal with its HL7 (~1.8 KB) to mhs.signals; the answer is our
//     ebXML Acknowledgment (the AA asks for one: forward-reliable), 200 with ~1.5 KB.
//     → mTLS POST 3: the AA, ~3.4 KB (unsigned, as the bench's simulator sends it); answer 200, ~1.5 KB.
//  6. correlation consumes it (`application-ack`): COMPLETED is written with its outbox row, then
//     the relay publishes the PAS notification (~1.9 KB) to mhs.inbound, confirmed and persistent
//     (src/outbox/relay.ts NotificationRelay.publish → publishToPas, src/queue/pas.ts); then ack.
//
// Per exchange: 3 mutual-TLS POSTs; 4 confirmed persistent publishes to quorum queues
// (mhs.outbound 1, mhs.signals 2, mhs.inbound 1); 3 consumes with manual acks (mhs.outbound 1,
// mhs.signals 2). Until issue 16 the gateway also published two confirmed wake-ups on mhs.events
// per exchange, heard by every instance; it now does so only for a message a caller waits on.
// mhs.inbound is the PAS's to read: the gateway never consumes it, and
// nothing reads it during the bench's throughput phase, so the floor does not either.
//
// Not in the floor: the PAS's own plain-HTTP POST to the API (the load driver's work, not a
// transport the gateway chooses), and anything periodic (sweeper, outbox sweep, retention).

/** Byte sizes of what crosses the wire per exchange (measured from the gateway and simulator). */
export interface ExchangeSizes {
  /** POST 1: the signed ebXML message, MIME multipart (6,547 bytes for a slot cancellation). */
  message: number;
  /** POST 2: Spine's ebXML Acknowledgment, text/xml (1,516 bytes). */
  acknowledgment: number;
  /** POST 3: e-RS's application acknowledgement, MIME multipart, unsigned (3,428 bytes). */
  applicationAck: number;
  /** Our answer to POST 3: an ebXML Acknowledgment (1,517 bytes). */
  applicationAckAnswer: number;
  /** mhs.signals bodies: an Acknowledgment's signal (227) and an AA's, with its HL7 (1,826). */
  acknowledgmentSignal: number;
  applicationAckSignal: number;
  /** mhs.inbound body: the PAS notification of the AA (1,895). */
  pasNotification: number;
}

/** Measured with the code of 2026-12 (dist/, the bench's simulator settings); the bench passes the run's own message size. */
export const DEFAULT_SIZES: ExchangeSizes = {
  message: 6_547,
  acknowledgment: 1_516,
  applicationAck: 3_428,
  applicationAckAnswer: 1_517,
  acknowledgmentSignal: 227,
  applicationAckSignal: 1_826,
  pasNotification: 1_895,
};

/** The work one exchange does, as the floor's result states it. */
export const PER_EXCHANGE = {
  mutualTlsPosts: 3,
  confirmedPersistentPublishes: { outbound: 1, signals: 2, inbound: 1 },
  consumesWithAck: { outbound: 1, signals: 2 },
} as const;

/** Queue and exchange names of one floor run (its own, deleted afterwards). */
export interface ExchangeNames {
  outbound: string;
  signals: string;
  inbound: string;
}

/** The header each POST of the floor carries its message's id in (the body is filler of the real size). */
export const ID_HEADER = 'x-floor-message-id';
/** Which signal a POST to the gateway side is: `acknowledgment` or `application-ack`. */
export const KIND_HEADER = 'x-floor-kind';

export type SignalKind = 'acknowledgment' | 'application-ack';

/** What the gateway side counted (one instance, or summed over instances). */
export interface GatewaySideCounts {
  posts: { toSpine: number; acknowledgments: number; applicationAcks: number };
  /** Body bytes the inbound endpoint read (POSTs 2 and 3). */
  inboundBytes: number;
  published: { outbound: number; signals: number; inbound: number };
  consumed: { outbound: number; signals: number };
  /** Exchanges whose Acknowledgment signal / AA signal was settled (ACKED / COMPLETED). */
  acked: number;
  completed: number;
}

/** What the Spine/e-RS side counted. */
export interface PeerCounts {
  messages: number;
  /** Body bytes of the messages read (POST 1). */
  messageBytes: number;
  acknowledgments: number;
  applicationAcks: number;
}

/** Milestones of each message on one instance: [messageId, epoch ms] pairs. */
export interface GatewaySideRecords {
  published: [string, number][];
  acked: [string, number][];
  completed: [string, number][];
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A JSON body of exactly `bytes` (or the bare JSON, if that is longer): `fields` plus filler. */
export function paddedJson(fields: Record<string, string>, bytes: number): Buffer {
  const bare = JSON.stringify({ ...fields, pad: '' });
  return Buffer.from(JSON.stringify({ ...fields, pad: 'x'.repeat(Math.max(0, bytes - bare.length)) }));
}

export function emptyCounts(): GatewaySideCounts {
  return {
    posts: { toSpine: 0, acknowledgments: 0, applicationAcks: 0 },
    inboundBytes: 0,
    published: { outbound: 0, signals: 0, inbound: 0 },
    consumed: { outbound: 0, signals: 0 },
    acked: 0,
    completed: 0,
  };
}

/** Adds `more` into `into`, field by field. */
export function addCounts(into: GatewaySideCounts, more: GatewaySideCounts): GatewaySideCounts {
  for (const key of ['posts', 'published', 'consumed'] as const) {
    const target = into[key] as Record<string, number>;
    for (const [name, value] of Object.entries(more[key])) target[name] = (target[name] ?? 0) + value;
  }
  into.inboundBytes += more.inboundBytes;
  into.acked += more.acked;
  into.completed += more.completed;
  return into;
}
