// The checks a received message must pass before anything is stored or queued, each a small rule
// that names the ebXML error it breaks; lists run in order and the first error is answered.
import type { Check } from './check.js';
import { HEADER_CHECKS } from './header.js';
import type { Received } from './received.js';
import { envelopeMatchesSchema } from './schema.js';

export { type Check, firstProblem } from './check.js';
export {
  actionInService,
  actionKnown,
  addressedToUs,
  cpaIdKnown,
  HEADER_CHECKS,
  MSH_REQUESTS,
  mshActionSupported,
  senderMaySpeakForFrom,
  soapActionConsistent,
  timeToLiveNotPassed,
} from './header.js';
export type { Received } from './received.js';
export { envelopeMatchesSchema, envelopeSchemaProblem } from './schema.js';
export {
  everyPartInManifest,
  SIGNATURE_CHECKS,
  type SignedMessage,
  signaturePresentWhenRequired,
  signatureVerifies,
  signedMessage,
  signerBelongsToSender,
  type Verification,
} from './signature.js';

/** The schema (when configured) first, then the header. */
export function messageChecks(validateSchema: boolean): readonly Check<Received>[] {
  return validateSchema ? [envelopeMatchesSchema, ...HEADER_CHECKS] : HEADER_CHECKS;
}
