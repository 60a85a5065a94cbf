import type { X509Certificate } from 'node:crypto';
import type { Logger } from '../ops/index.js';
import type { QueuePublisher } from '../queue/index.js';
import type { RouteTable } from '../routing/index.js';
import type { EnvelopeSigner, SigningIdentity } from '../security/xmldsig/index.js';
import type { MessageStore } from '../store/index.js';

export interface InboundDependencies {
  partyKey: string;
  routes: RouteTable;
  store: MessageStore;
  /** mhs.inbound (for the PAS) and mhs.signals (for correlation). */
  broker: QueuePublisher;
  logger: Logger;
  trusted: () => X509Certificate[];
  /** Signs acknowledgments a sender asked to be signed. */
  signingIdentity: () => SigningIdentity;
  /** Signs off the event loop (the SigningPool); default: on this thread. */
  sign?: EnvelopeSigner;
  requireSignature: boolean;
  validateSchema: boolean;
  maxParts: number;
  /** Counts a duplicate answered with the stored acknowledgment (metrics). */
  onDuplicate?: () => void;
  clock?: () => Date;
}

export function now(deps: InboundDependencies): Date {
  return deps.clock ? deps.clock() : new Date();
}
