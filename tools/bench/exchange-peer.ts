// The exchange floor's other side, Spine and e-RS in one process as the simulator is: a server
// with the gateway's mutual-TLS policy that reads each message and answers 202 at once, then —
// as src/simulator/signals.ts sendSignals does — POSTs the ebXML Acknowledgment and, after its
// answer, the application acknowledgement to the gateway's inbound endpoint over keep-alive mutual
// TLS (64 sockets, as the simulator's MtlsClient). With several gateway instances the POSTs go to
// each in turn, as a load balancer in front of them would share them out.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { clientOptions, loadTls, serverOptions, type TlsFiles } from '#src/security/tls/index.js';
import {
  type ExchangeSizes,
  ID_HEADER,
  KIND_HEADER,
  type PeerCounts,
  type SignalKind,
} from './exchange-work.js';
import { childArgument, failToParent, isForkedEntry, serveParent } from './floor-ipc.js';
import { closeServer, listen } from './floor-server.js';
import { post } from './floor-wire.js';

export interface ExchangePeerConfig {
  /** The simulator's certificate, key and CA: its server and its client use them. */
  tls: TlsFiles;
  sizes: ExchangeSizes;
}

export class ExchangePeer {
  readonly counts: PeerCounts = { messages: 0, messageBytes: 0, acknowledgments: 0, applicationAcks: 0 };
  private targets: string[] = [];
  private next = 0;
  private server?: https.Server;
  private agent?: https.Agent;
  private readonly bodies: Record<SignalKind, Buffer>;

  constructor(
    private readonly config: ExchangePeerConfig,
    private readonly fail: (error: unknown) => void,
  ) {
    this.bodies = {
      acknowledgment: Buffer.alloc(config.sizes.acknowledgment, 0x78),
      'application-ack': Buffer.alloc(config.sizes.applicationAck, 0x78),
    };
  }

  async start(): Promise<number> {
    const tls = loadTls(this.config.tls);
    this.agent = new https.Agent({ ...clientOptions(tls), keepAlive: true, maxSockets: 64 });
    const server = https.createServer(serverOptions(tls), (request, response) => {
      const id = String(request.headers[ID_HEADER] ?? '');
      request.on('data', (chunk: Buffer) => {
        this.counts.messageBytes += chunk.byteLength;
      });
      request.on('end', () => {
        this.counts.messages += 1;
        response.writeHead(202, { 'content-length': '0' }).end();
        this.sendSignals(id).catch(this.fail);
      });
    });
    server.keepAliveTimeout = 95_000;
    this.server = server;
    await listen(server);
    return (server.address() as AddressInfo).port;
  }

  /** The gateway instances' inbound URLs. */
  setTargets(urls: string[]): void {
    if (urls.length === 0) throw new Error('no gateway inbound URL');
    this.targets = urls;
  }

  async close(): Promise<void> {
    this.agent?.destroy();
    if (this.server) await closeServer(this.server);
  }

  /** The Acknowledgment, then the AA once the Acknowledgment is answered (the simulator's order). */
  private async sendSignals(id: string): Promise<void> {
    await this.signal(id, 'acknowledgment', 202);
    this.counts.acknowledgments += 1;
    await this.signal(id, 'application-ack', 200);
    this.counts.applicationAcks += 1;
  }

  private async signal(id: string, kind: SignalKind, expected: number): Promise<void> {
    const url = this.targets[this.next++ % this.targets.length];
    if (!url) throw new Error('signals before the gateway inbound URLs were set');
    const answer = await post(this.agent!, url, this.bodies[kind], { [ID_HEADER]: id, [KIND_HEADER]: kind });
    if (answer.status !== expected)
      throw new Error(`the gateway side answered ${kind} with ${answer.status}`);
  }
}

/** Child-process entry: the config arrives as the JSON argument; requests come over IPC. */
async function runAsChild(): Promise<void> {
  let failed = false;
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    failToParent(error);
  };
  try {
    const peer = new ExchangePeer(childArgument<ExchangePeerConfig>(), fail);
    const port = await peer.start();
    serveParent(
      port,
      {
        targets: (payload) => peer.setTargets(payload as string[]),
        counts: () => peer.counts,
      },
      () => peer.close(),
    );
  } catch (error) {
    fail(error);
    process.exitCode = 1;
    process.disconnect?.();
  }
}

if (isForkedEntry(import.meta.url)) void runAsChild();
