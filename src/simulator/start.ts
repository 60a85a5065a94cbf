// Spine and e-RS in one process: the Spine endpoint (mTLS) that receives the gateway's messages and
// sends back the signals e-RS would, and the loopback control API that starts e-RS requests,
// reports what arrived and injects faults.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../config/index.js';
import { createLogger, type Logger } from '../ops/index.js';
import { loadRouteTable } from '../routing/index.js';
import { TlsContext } from '../security/tls/index.js';
import { MtlsClient } from '../transport/index.js';
import { createControlServer } from './control.js';
import { ErsFhirSimulator } from './ers-fhir/index.js';
import { ErsRequests } from './ers-requests.js';
import { FaultInjector } from './faults.js';
import { listen } from './http.js';
import type { BuildContext } from './messages.js';
import { sdsDirectory } from './sds.js';
import { GatewayLink } from './signals.js';
import { createSpineServer } from './spine-endpoint.js';
import { ReceivedLog } from './state.js';

export interface RunningSimulator {
  spinePort: number;
  controlPort: number;
  close(): Promise<void>;
}

export async function startSimulator(
  config: GatewayConfig,
  options: {
    logger?: Logger;
    /** Start with a few referrals on the e-RS FHIR worklists (development mode). */
    seedReferrals?: boolean;
  } = {},
): Promise<RunningSimulator> {
  const sim = config.simulator;
  const logger = (options.logger ?? createLogger({ ...config.logging, name: 'simulator' })).child({
    component: 'simulator',
  });
  const routes = loadRouteTable(config.interactionsFile, config.routesFile);
  const tls = new TlsContext(sim.tls);
  const client = new MtlsClient(tls, config.outbound.requestTimeoutMs);
  const received = new ReceivedLog();
  // e-RS's FHIR API (ers-fhir/), served on the control port.
  const ersFhir = new ErsFhirSimulator(config.ersFhir);
  if (options.seedReferrals) seedReferrals(ersFhir, config.ersFhir.services);
  const faults = new FaultInjector(sim.ackDelayMs, sim.partyKey);
  const context = (): BuildContext => ({
    parties: {
      partyKey: sim.partyKey,
      asid: sim.asid,
      gatewayPartyKey: sim.gatewayPartyKey,
      gatewayAsid: sim.gatewayAsid,
    },
    routes,
    identity: sim.signing
      ? { privateKey: tls.current.privateKey, certificate: tls.current.certificate }
      : undefined,
    now: new Date(),
    newId: () => randomUUID().toUpperCase(),
  });
  const link = new GatewayLink(client, sim.gatewayInboundUrl, faults);
  const requests = new ErsRequests(link, context);
  const spine = createSpineServer({
    tls,
    faults,
    context,
    logger,
    received,
    signals: { link, faults, context, sent: requests.sent },
  });
  const control = createControlServer(
    {
      faults,
      received,
      requests,
      sds: { directory: sdsDirectory(config, routes), apiKey: config.sds.apiKey },
    },
    ersFhir,
    logger,
  );

  await listen(spine, sim.port, sim.host);
  await listen(control, sim.controlPort, sim.controlHost);
  const running: RunningSimulator = {
    spinePort: (spine.address() as AddressInfo).port,
    controlPort: (control.address() as AddressInfo).port,
    close: async () => {
      client.close();
      await Promise.all(
        [spine, control].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
  logger.info(
    { spine: running.spinePort, control: running.controlPort, partyKey: sim.partyKey },
    'simulator started',
  );
  return running;
}

/**
 * The first service's UBRNs in development mode, fixed so the README's walkthrough can name them;
 * other services' are random.
 */
const WALKTHROUGH_UBRNS = ['573735410123', '536534383118', '440485419764'] as const;

/** Development mode's starting worklist: one referral with a letter, one whose letter is still being scanned. */
function seedReferrals(ersFhir: ErsFhirSimulator, services: string[]): void {
  services.forEach((id, index) => {
    const service = { id, name: `Simulated service ${id}` };
    const ubrn = (n: 0 | 1 | 2) => (index === 0 ? { ubrn: WALKTHROUGH_UBRNS[n] } : {});
    ersFhir.addReferral({ service, ...ubrn(0), attachments: [{ title: 'referral-letter.pdf' }] });
    ersFhir.addReferral({
      service,
      ...ubrn(1),
      priority: 'URGENT',
      attachments: [{ title: 'results.pdf', availability: 'PENDING', pendingForMs: 60_000 }],
    });
    ersFhir.addReferral({
      service,
      ...ubrn(2),
      list: 'APPOINTMENT_SLOT_ISSUES',
      state: 'DEFERRED_TO_PROVIDER',
    });
  });
}
