// An OutboundSubmission over the shipped routes, unsigned, for tests of what submitting stores and queues.
import { join } from 'node:path';
import { packageRoot } from '../../src/config/index.js';
import { OutboundSubmission } from '../../src/outbound/index.js';
import type { QueuePublisher } from '../../src/queue/index.js';
import { loadRouteTable } from '../../src/routing/index.js';
import type { MessageStore } from '../../src/store/index.js';

export function unsignedSubmission(store: MessageStore, broker: QueuePublisher): OutboundSubmission {
  return new OutboundSubmission({
    partyKey: 'RTX-821088',
    asid: '918999198738',
    routes: loadRouteTable(
      join(packageRoot, 'config', 'interactions.json'),
      join(packageRoot, 'config', 'routes.json'),
    ),
    store,
    broker,
    signingIdentity: () => undefined,
    signatureAlgorithm: 'rsa-sha256',
  });
}
