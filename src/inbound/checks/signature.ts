// XML signature checks, run on the parser's own document against the nodes it read from (so a
// signature cannot cover one element while the message is read from another). A required
// signature must be there; one that is there must verify, cover every element the message was
// read from and every MIME part, and be made by a certificate this sender may use.
import type { X509Certificate } from 'node:crypto';
import {
  contentIdOfHref,
  type EbxmlError,
  type ParsedMessage,
  parseTimestamp,
  type ReadEnvelope,
} from '../../ebxml/index.js';
import type { RouteTable } from '../../routing/index.js';
import { type VerifyResult, verifyEnvelope } from '../../security/xmldsig/index.js';
import { type InboundSender, signerProblem } from '../clients.js';
import type { Check } from './check.js';

/** What verifying the signature gave, or why it could not be checked at all. */
export type Verification = { result: VerifyResult } | { cannotCheck: string };

export interface SignedMessage {
  message: ParsedMessage;
  sender: InboundSender;
  /** The route's setting; the gateway's for MSH signals and unrouted actions. */
  required: boolean;
  /** Verified once, on first use: verification consumes the parser's document. */
  verification: () => Verification;
}

export function signedMessage(
  message: ParsedMessage,
  envelope: ReadEnvelope,
  sender: InboundSender,
  settings: { routes: RouteTable; requireSignature: boolean; trusted: () => X509Certificate[]; now: Date },
): SignedMessage {
  // Business messages follow their interaction's route; MSH signals the gateway-wide setting.
  const { routes } = settings;
  const route = routes.isRouted(message.header.action) ? routes.resolve(message.header.action) : undefined;
  let verification: Verification | undefined;
  const verify = (): Verification => {
    try {
      const result = verifyEnvelope(
        { doc: envelope.doc, text: message.envelopeXml },
        {
          trusted: settings.trusted(),
          manifestHrefs: manifestHrefs(message),
          parts: new Map(message.parts.map((p) => [p.contentId, p.content])),
          at: parseTimestamp(message.header.timestamp),
          now: settings.now,
          allowSha1: route?.allowSha1 ?? false,
          covering: envelope.readFrom,
        },
      );
      return { result };
    } catch (error) {
      return { cannotCheck: (error as Error).message.split('\n')[0] ?? '' };
    }
  };
  return {
    message,
    sender,
    required: route?.requireSignature ?? settings.requireSignature,
    verification: () => {
      verification ??= verify();
      return verification;
    },
  };
}

export const signaturePresentWhenRequired: Check<SignedMessage> = ({ message, required }) =>
  required && !message.signaturePresent
    ? {
        errorCode: 'SecurityFailure',
        severity: 'Error',
        description: 'a signature is required and none is present',
      }
    : undefined;

/** Parts go to the PAS as attachments: one the manifest does not name has no reference covering it. */
export const everyPartInManifest: Check<SignedMessage> = ({ message }) => {
  if (!message.signaturePresent) return undefined;
  const referenced = new Set(manifestHrefs(message).map((href) => contentIdOfHref(href)?.toLowerCase()));
  const unreferenced = message.parts.find((p) => !referenced.has(p.contentId.toLowerCase()));
  return unreferenced
    ? signatureNotValid(
        `MIME part <${unreferenced.contentId}> is not in the manifest, so no reference covers it`,
      )
    : undefined;
};

/** Never a 500 when it cannot be checked (Spine would resend for ever): the signature is not accepted. */
export const signatureVerifies: Check<SignedMessage> = ({ message, verification }) => {
  if (!message.signaturePresent) return undefined;
  const verified = verification();
  if ('cannotCheck' in verified) return signatureNotValid(`cannot be checked: ${verified.cannotCheck}`);
  const { result } = verified;
  return result.present && !result.valid ? signatureNotValid(result.reason) : undefined;
};

/** The signer is the TLS client's own certificate or one configured for it. */
export const signerBelongsToSender: Check<SignedMessage> = ({ message, sender, verification }) => {
  if (!message.signaturePresent) return undefined;
  const verified = verification();
  if (!('result' in verified) || !verified.result.present || !verified.result.valid) return undefined;
  const why = signerProblem(verified.result.signer, sender);
  return why ? signatureNotValid(why) : undefined;
};

export const SIGNATURE_CHECKS: readonly Check<SignedMessage>[] = [
  signaturePresentWhenRequired,
  everyPartInManifest,
  signatureVerifies,
  signerBelongsToSender,
];

function manifestHrefs(message: ParsedMessage): string[] {
  return message.manifest.filter((r) => r.href.startsWith('cid:')).map((r) => r.href);
}

function signatureNotValid(why: string): EbxmlError {
  return { errorCode: 'SecurityFailure', severity: 'Error', description: `signature not valid: ${why}` };
}
