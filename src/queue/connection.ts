// The one long-lived AMQP connection and its confirm channel, with a reconnect loop and backoff.
// What a fresh connection needs (topology, consumers) is the owner's: the two hooks below.
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { type BrokerLogger, BrokerUnavailableError } from './delivery.js';

export interface ConnectionHooks {
  /** Declares what the broker must hold, on a set-up channel, before anything is published. */
  declare(channel: Channel): Promise<void>;
  /** Resumes listening once the connection is live (events, consumers). */
  resume(model: ChannelModel): Promise<void>;
}

/** Node timers cap at 2^31-1 ms; a larger wait would fire at once (TimeoutOverflowWarning). */
const FOREVER_MS = 2_147_483_647;

export class AmqpConnection {
  private model?: ChannelModel;
  private confirmChannel?: ConfirmChannel;
  private connecting?: Promise<void>;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly options: { instanceId: string; logger: BrokerLogger },
    private readonly hooks: ConnectionHooks,
  ) {}

  /** The live connection, if any (undefined while down or reconnecting). */
  get current(): ChannelModel | undefined {
    return this.model;
  }

  get connected(): boolean {
    return this.confirmChannel !== undefined;
  }

  /** Waits up to `timeoutMs` for a live connection, starting the reconnect loop if none runs. */
  async ensure(timeoutMs: number): Promise<void> {
    if (this.confirmChannel) return;
    if (this.closed) throw new BrokerUnavailableError('broker client is closed');
    this.connecting ??= this.connectLoop().finally(() => {
      this.connecting = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BrokerUnavailableError(`RabbitMQ not reachable within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.connecting, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The confirm channel for publishing, connecting first (5 s at most). */
  async publisher(): Promise<ConfirmChannel> {
    await this.ensure(5_000);
    if (!this.confirmChannel) throw new BrokerUnavailableError('RabbitMQ is not connected');
    return this.confirmChannel;
  }

  /** The live connection, connecting first (5 s at most). */
  async live(): Promise<ChannelModel> {
    await this.ensure(5_000);
    if (!this.model) throw new BrokerUnavailableError('RabbitMQ is not connected');
    return this.model;
  }

  /** Runs `work` on a short-lived channel of the live connection. */
  async withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await (await this.live()).createChannel();
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const model = this.model;
    this.model = undefined;
    this.confirmChannel = undefined;
    await model?.close().catch(() => undefined);
  }

  private async connectLoop(): Promise<void> {
    let delay = 250;
    for (;;) {
      if (this.closed) throw new BrokerUnavailableError('broker client is closed');
      try {
        await this.connectOnce();
        return;
      } catch (error) {
        this.options.logger.warn({ err: String(error), retryInMs: delay }, 'RabbitMQ connection failed');
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const model = await amqp.connect(this.url, {
      clientProperties: { connection_name: `mhs-gateway ${this.options.instanceId}` },
    });
    try {
      const setup = await model.createChannel();
      await this.hooks.declare(setup);
      await setup.close();
      const confirmChannel = await model.createConfirmChannel();
      confirmChannel.on('error', () => undefined);
      model.on('error', (error) =>
        this.options.logger.warn({ err: String(error) }, 'RabbitMQ connection error'),
      );
      model.on('close', () => this.onConnectionLost(model));
      this.model = model;
      this.confirmChannel = confirmChannel;
      await this.hooks.resume(model);
      this.options.logger.info({ instanceId: this.options.instanceId }, 'RabbitMQ connected');
    } catch (error) {
      await model.close().catch(() => undefined);
      this.model = undefined;
      this.confirmChannel = undefined;
      throw error;
    }
  }

  private onConnectionLost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.confirmChannel = undefined;
    if (this.closed) return;
    this.options.logger.warn({}, 'RabbitMQ connection lost; reconnecting');
    this.ensure(FOREVER_MS).catch(() => undefined);
  }
}
