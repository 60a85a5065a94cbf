// The exchange floor's gateway side, one process per gateway instance: the transport work of
// exchange-work.ts steps 1–7 on the gateway's side, with the gateway's own shapes — one AMQP
// connection with one confirm channel for every publish and a channel per consumer, prefetch as
// configured, the gateway's mutual-TLS policy on its keep-alive client (64 sockets) and on its
// inbound server. No XML, no signing, no store.
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { clientOptions, loadTls, serverOptions, type TlsFiles } from '#src/security/tls/index.js';
import {
  type ExchangeNames,
  type ExchangeSizes,
  emptyCounts,
  epochMs,
  type GatewaySideCounts,
  type GatewaySideRecords,
  ID_HEADER,
  KIND_HEADER,
  paddedJson,
  type SignalKind,
} from './exchange-work.js';
import { childArgument, failToParent, isForkedEntry, serveParent } from './floor-ipc.js';
import { closeServer, listen } from './floor-server.js';
import { post, publishConfirmed } from './floor-wire.js';

export interface ExchangeGatewayConfig {
  /** 1, 2, …: which instance this is. */
  instance: number;
  amqpUrl: string;
  names: ExchangeNames;
  prefetch: number;
  /** The gateway's certificate, key and CA: its client to Spine and its inbound server use them. */
  tls: TlsFiles;
  /** The Spine side's URL (https://localhost:<port>/). */
  spineUrl: string;
  sizes: ExchangeSizes;
}

/** What `run` asks of one instance: its share of the messages, published by `publishers` loops at once. */
export interface RunRequest {
  messages: number;
  publishers: number;
}

/** The gateway's inbound listener keep-alive (config listeners.inbound.keepAliveTimeoutMs). */
const KEEP_ALIVE_MS = 95_000;

export class ExchangeGatewaySide {
  readonly counts: GatewaySideCounts = emptyCounts();
  private readonly records: GatewaySideRecords = { published: [], acked: [], completed: [] };
  private connection?: ChannelModel;
  private publisher?: ConfirmChannel;
  private server?: https.Server;
  private agent?: https.Agent;
  private readonly messageBody: Buffer;
  private readonly answerBody: Buffer;

  constructor(
    private readonly config: ExchangeGatewayConfig,
    private readonly fail: (error: unknown) => void,
  ) {
    this.messageBody = Buffer.alloc(config.sizes.message, 0x78);
    this.answerBody = Buffer.alloc(config.sizes.applicationAckAnswer, 0x78);
  }

  /** Connects, starts the consumers and the inbound server; returns the inbound port. */
  async start(): Promise<number> {
    const { config } = this;
    const tls = loadTls(config.tls);
    this.agent = new https.Agent({ ...clientOptions(tls), keepAlive: true, maxSockets: 64 });
    const connection = await amqp.connect(config.amqpUrl, {
      clientProperties: { connection_name: `mhs-gateway bench exchange floor ${config.instance}` },
    });
    this.connection = connection;
    connection.on('error', (error: Error) => this.fail(error));
    connection.on('close', () => this.fail(new Error('RabbitMQ connection closed during the run')));
    const publisher = await connection.createConfirmChannel();
    publisher.on('error', (error: Error) => this.fail(error));
    this.publisher = publisher;
    await this.consume(config.names.outbound, (message) => this.send(message));
    await this.consume(config.names.signals, (message) => this.correlate(message));

    const server = https.createServer(serverOptions(tls), (request, response) => {
      const id = String(request.headers[ID_HEADER] ?? '');
      const kind = request.headers[KIND_HEADER] as SignalKind | undefined;
      request.on('data', (chunk: Buffer) => {
        this.counts.inboundBytes += chunk.byteLength;
      });
      request.on('end', () => {
        this.receiveSignal(id, kind).then(
          (answer) => {
            response.writeHead(answer.status, { 'content-length': String(answer.body.byteLength) });
            response.end(answer.body);
          },
          (error: unknown) => {
            response.writeHead(500, { 'content-length': '0' }).end();
            this.fail(error);
          },
        );
      });
    });
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    this.server = server;
    await listen(server);
    return (server.address() as AddressInfo).port;
  }

  /** Step 1, `publishers` at a time: each publish stands for a PAS request answered 202. */
  run(request: RunRequest): void {
    let next = 0;
    const loop = async () => {
      while (next < request.messages) {
        next += 1;
        const messageId = randomUUID().toUpperCase();
        this.records.published.push([messageId, epochMs()]);
        await this.publish(this.config.names.outbound, Buffer.from(JSON.stringify({ messageId })), messageId);
        this.counts.published.outbound += 1;
      }
    };
    for (let i = 0; i < Math.max(1, request.publishers); i += 1) loop().catch(this.fail);
  }

  results(): GatewaySideRecords {
    return this.records;
  }

  async close(): Promise<void> {
    this.connection?.removeAllListeners('close');
    await this.connection?.close().catch(() => undefined);
    this.agent?.destroy();
    if (this.server) await closeServer(this.server);
  }

  /** Step 2: the send worker. */
  private async send(message: ConsumeMessage): Promise<void> {
    this.counts.consumed.outbound += 1;
    const { messageId } = JSON.parse(message.content.toString('utf8')) as { messageId: string };
    const answer = await post(this.agent!, this.config.spineUrl, this.messageBody, {
      [ID_HEADER]: messageId,
    });
    if (answer.status !== 202) throw new Error(`the Spine side answered ${answer.status}`);
    this.counts.posts.toSpine += 1;
  }

  /** Steps 3 and 5: a signal POSTed to the inbound endpoint, queued on mhs.signals before the answer. */
  private async receiveSignal(
    id: string,
    kind: SignalKind | undefined,
  ): Promise<{ status: number; body: Buffer }> {
    if (!id || (kind !== 'acknowledgment' && kind !== 'application-ack'))
      throw new Error(`inbound POST without ${ID_HEADER} and ${KIND_HEADER}`);
    const ack = kind === 'acknowledgment';
    const { sizes } = this.config;
    const body = paddedJson(
      { kind, messageId: id },
      ack ? sizes.acknowledgmentSignal : sizes.applicationAckSignal,
    );
    if (ack) this.counts.posts.acknowledgments += 1;
    else this.counts.posts.applicationAcks += 1;
    await this.publish(this.config.names.signals, body, randomUUID().toUpperCase(), kind);
    this.counts.published.signals += 1;
    return ack ? { status: 202, body: Buffer.alloc(0) } : { status: 200, body: this.answerBody };
  }

  /** Steps 4 and 6: correlation; an AA also tells the PAS (the outbox). */
  private async correlate(message: ConsumeMessage): Promise<void> {
    this.counts.consumed.signals += 1;
    const { kind, messageId } = JSON.parse(message.content.toString('utf8')) as {
      kind: SignalKind;
      messageId: string;
    };
    // The milestone (ACKED, COMPLETED) is where the gateway writes the move, before it publishes.
    const settled = kind === 'application-ack' ? this.records.completed : this.records.acked;
    settled.push([messageId, epochMs()]);
    if (kind === 'application-ack') {
      const notification = paddedJson({ kind, messageId }, this.config.sizes.pasNotification);
      await this.publish(this.config.names.inbound, notification, randomUUID().toUpperCase(), kind);
      this.counts.published.inbound += 1;
    }
    // Counted once its publishes are confirmed: the run may end (and close) when every one is.
    if (kind === 'application-ack') this.counts.completed += 1;
    else this.counts.acked += 1;
  }

  /** A consumer on a channel of its own with the gateway's prefetch and manual acks (src/queue/consumers.ts). */
  private async consume(queue: string, handle: (message: ConsumeMessage) => Promise<void>): Promise<void> {
    const channel = await this.connection!.createChannel();
    channel.on('error', (error: Error) => this.fail(error));
    await channel.prefetch(this.config.prefetch);
    await channel.consume(queue, (message) => {
      if (!message) return this.fail(new Error(`the broker cancelled the consumer of ${queue}`));
      handle(message).then(
        () => channel.ack(message),
        (error: unknown) => this.fail(error),
      );
    });
  }

  /** A persistent publish to a queue, confirmed (src/queue/broker.ts Broker.publish). */
  private publish(queue: string, body: Buffer, messageId: string, kind?: string): Promise<void> {
    return publishConfirmed(
      this.publisher!,
      { exchange: '', routingKey: queue, persistent: true },
      body,
      kind ? { messageId, headers: { kind } } : { messageId },
    );
  }
}

/** Child-process entry: the config arrives as the JSON argument; requests come over IPC. */
async function runAsChild(): Promise<void> {
  let side: ExchangeGatewaySide | undefined;
  let failed = false;
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    failToParent(error);
  };
  try {
    side = new ExchangeGatewaySide(childArgument<ExchangeGatewayConfig>(), fail);
    const port = await side.start();
    const running = side;
    serveParent(
      port,
      {
        run: (payload) => running.run(payload as RunRequest),
        counts: () => running.counts,
        records: () => running.results(),
        close: () => running.close(),
      },
      () => running.close(),
    );
  } catch (error) {
    fail(error);
    await side?.close().catch(() => undefined);
    process.exitCode = 1;
    process.disconnect?.();
  }
}

if (isForkedEntry(import.meta.url)) void runAsChild();
