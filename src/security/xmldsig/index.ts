// XMLDSig for ebMS 2.0 envelopes (ebMS 2.0 §4.1 profile): sign outbound, verify inbound.

export { type EnvelopeSigner, SigningPool, signOnThisThread } from './pool.js';
export { EBXML_XPATH_FILTER, type SignatureAlgorithm } from './profile.js';
export { signedReferences } from './references.js';
export { type SigningIdentity, type SignOptions, signEnvelope } from './sign.js';
export { type VerifyOptions, type VerifyResult, verifyEnvelope } from './verify.js';
