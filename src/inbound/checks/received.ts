import type { EbxmlError, ParsedMessage } from '../../ebxml/index.js';
import type { RouteTable } from '../../routing/index.js';
import type { InboundSender } from '../clients.js';

/** A parsed message and what the schema and header checks judge it against. */
export interface Received {
  message: ParsedMessage;
  /** The TLS client that sent it: the parties it may speak for. */
  sender: InboundSender;
  /** Our own party key: what eb:To must name. */
  partyKey: string;
  routes: RouteTable;
  now: Date;
  /**
   * The schema check's verdict on the document the pipeline parsed (`problem` absent: valid), when
   * it was made there; absent, the check validates the envelope text.
   */
  envelopeSchema?: { problem?: EbxmlError };
}
