// The body of a message on mhs.signals: what inbound/ read from an ebXML signal or an answering
// business message, so correlation never parses XML. One encoder (the producer) and one parser
// (the consumer) keep both sides to the same contract.
import { z } from 'zod';
import type { EbxmlError } from '../ebxml/index.js';
import { APPLICATION_ACKNOWLEDGEMENT, type ApplicationAcknowledgement } from '../hl7/index.js';
import { encodeBody, parseBody } from './contract.js';
import type { PublishProperties } from './delivery.js';
import { QUEUES } from './topology.js';

export interface Signal {
  /** `reply`: a business message answering one of ours (e.g. QUPC_IN160102UK05); the PAS already has it. */
  kind: 'acknowledgment' | 'message-error' | 'application-ack' | 'reply';
  /** The signal's own ebXML MessageId. */
  signalId: string;
  /** ebXML RefToMessageId, when the sender set one. */
  refToMessageId?: string;
  conversationId: string;
  receivedAt: string;
  errors?: EbxmlError[];
  /** Present on every `application-ack`. */
  applicationAck?: ApplicationAcknowledgement;
  hl7?: string;
  /** A reply's interaction id. */
  interactionId?: string;
  /**
   * The parties the TLS client that sent an application acknowledgement may speak for (`*`: any):
   * correlation moves the message it names only if that message went to one of them.
   */
  senderParties?: string[];
}

/** The interaction of an HL7 application acknowledgement (the AMQP `type` of every such signal). */

/**
 * The body and properties to publish `signal` with. `receivedAction` is the eb:Action of the
 * message it was read from: the AMQP `type`, so a consumer can route without reading the body.
 */
export function encodeSignal(
  signal: Signal,
  receivedAction: string,
): { body: Buffer; properties: PublishProperties } {
  return {
    body: encodeBody(signal),
    properties: {
      messageId: signal.signalId,
      correlationId: signal.conversationId,
      type: signal.kind === 'application-ack' ? APPLICATION_ACKNOWLEDGEMENT : receivedAction,
      headers: { kind: signal.kind, refToMessageId: signal.refToMessageId },
    },
  };
}

const qualifier = z.enum(['ER', 'WG', 'IF']);
const text = z.string().min(1);

const signalSchema = z
  .object({
    kind: z.enum(['acknowledgment', 'message-error', 'application-ack', 'reply']),
    signalId: text,
    refToMessageId: z.string().optional(),
    conversationId: z.string(),
    receivedAt: text,
    errors: z
      .array(
        z.object({
          errorCode: text,
          severity: z.enum(['Error', 'Warning']),
          description: z.string().optional(),
          spineCode: z.string().optional(),
          location: z.string().optional(),
          codeContext: z.string().optional(),
        }),
      )
      .optional(),
    applicationAck: z
      .object({
        messageId: z.string(),
        typeCode: z.enum(['AA', 'AE', 'AR']),
        messageRef: z.string(),
        details: z.array(
          z.object({
            typeCode: qualifier,
            code: z.string(),
            displayName: z.string().optional(),
            codeSystem: z.string().optional(),
          }),
        ),
        reasons: z.array(
          z.object({
            code: z.string(),
            displayName: z.string().optional(),
            qualifier,
            codeSystem: z.string().optional(),
          }),
        ),
      })
      .optional(),
    hl7: z.string().optional(),
    interactionId: z.string().optional(),
    senderParties: z.array(z.string()).optional(),
  })
  .refine((signal) => signal.kind !== 'application-ack' || signal.applicationAck !== undefined, {
    message: 'an application-ack signal carries applicationAck',
    path: ['applicationAck'],
  }) satisfies z.ZodType<Signal>;

/** Reads a body from mhs.signals; a QueueContractError says what is wrong with it. */
export function parseSignal(body: Buffer): Signal {
  return parseBody(QUEUES.signals, signalSchema, body);
}
