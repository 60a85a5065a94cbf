export {
  buildApplicationAcknowledgement,
  hl7CreationTime,
  type WrapOptions,
  wrapPayload,
} from './build-wrapper.js';
export {
  APPLICATION_ACKNOWLEDGEMENT,
  ERS_REQUEST,
  type ErsRequestInteraction,
  HL7_VERSION_CODE,
  INTERACTION_ID,
  OID,
} from './constants.js';
export { Hl7Error } from './errors.js';
export { el, type RawXml, raw, renderXml, type XmlChild, type XmlElementSpec } from './markup.js';
export { parseApplicationAcknowledgement, parseWrapper, readWrapper } from './parse-wrapper.js';
export { formatHl7Timestamp, type Hl7TimestampPrecision } from './timestamp.js';
export type * from './types.js';
