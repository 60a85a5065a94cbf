// Transmission wrapper S (MCCI_MT010101UK12) or A (MCCI_MT020101UK12) around control act
// MCAI_MT040101UK03. Element order follows the models (choose-and-book reference §4–§5).
import { withXml } from '../xml/index.js';
import { APPLICATION_ACKNOWLEDGEMENT, HL7_VERSION_CODE, INTERACTION_ID, OID } from './constants.js';
import { Hl7Error } from './errors.js';
import { el, raw, renderXml, type XmlElementSpec } from './markup.js';
import { formatHl7Timestamp } from './timestamp.js';
import type { AcknowledgementFields, BusinessReason, WrapperFields } from './types.js';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export interface WrapOptions {
  /** Present: wrapper A with this acknowledgement; absent: wrapper S. */
  acknowledgement?: AcknowledgementFields;
  reasons?: BusinessReason[];
}

/** The whole HL7 message: XML declaration, root element named after the interaction, final newline. */
export function wrapPayload(
  fields: WrapperFields,
  payloadXml: string | undefined,
  options: WrapOptions = {},
): string {
  if (!INTERACTION_ID.test(fields.interactionId)) {
    throw new Hl7Error(`"${fields.interactionId}" is not an interaction id`);
  }
  const payload = payloadXml === undefined ? undefined : checkedPayload(payloadXml);
  const root = el(
    fields.interactionId,
    { xmlns: 'urn:hl7-org:v3' },
    el('id', { root: fields.messageId }),
    el('creationTime', { value: hl7CreationTime(fields.creationTime) }),
    el('versionCode', { code: HL7_VERSION_CODE }),
    el('interactionId', { root: OID.interaction, extension: fields.interactionId }),
    el('processingCode', { code: fields.processingCode ?? 'P' }),
    // Current processing, and no accept acks: NPfIT fixes both.
    el('processingModeCode', { code: 'T' }),
    el('acceptAckCode', { code: 'NE' }),
    options.acknowledgement && acknowledgementElement(options.acknowledgement),
    communicationFunction('communicationFunctionRcv', 'RCV', fields.toAsid),
    communicationFunction('communicationFunctionSnd', 'SND', fields.fromAsid),
    el(
      'ControlActEvent',
      { classCode: 'CACT', moodCode: 'EVN' },
      el(
        'author1',
        { typeCode: 'AUT' },
        el(
          'AgentSystemSDS',
          { classCode: 'AGNT' },
          el(
            'agentSystemSDS',
            { classCode: 'DEV', determinerCode: 'INSTANCE' },
            el('id', { root: OID.asid, extension: fields.authorAsid ?? fields.fromAsid }),
          ),
        ),
      ),
      (options.reasons ?? []).map(reasonElement),
      payload !== undefined &&
        el('subject', { typeCode: 'SUBJ', contextConductionInd: 'false' }, raw(payload)),
    ),
  );
  return `${XML_DECLARATION}\n${renderXml(root)}\n`;
}

/** MCCI_IN010000UK13: wrapper A with no subject. */
export function buildApplicationAcknowledgement(
  fields: Omit<WrapperFields, 'interactionId'>,
  ack: AcknowledgementFields,
  reasons?: BusinessReason[],
): string {
  return wrapPayload({ ...fields, interactionId: APPLICATION_ACKNOWLEDGEMENT }, undefined, {
    acknowledgement: ack,
    reasons,
  });
}

/** YYYYMMDDHHMMSS in UTC. */
export function hl7CreationTime(time: Date): string {
  return formatHl7Timestamp(time, 'seconds', 'creationTime');
}

function acknowledgementElement(ack: AcknowledgementFields): XmlElementSpec {
  return el(
    'acknowledgement',
    { typeCode: ack.typeCode },
    (ack.details ?? []).map((detail) =>
      el(
        'acknowledgementDetail',
        { typeCode: detail.typeCode },
        el('code', {
          code: detail.code,
          codeSystem: detail.codeSystem ?? OID.ackDetail,
          displayName: detail.displayName,
        }),
      ),
    ),
    el('messageRef', {}, el('id', { root: ack.messageRef })),
  );
}

function communicationFunction(name: string, typeCode: string, asid: string): XmlElementSpec {
  return el(
    name,
    { typeCode },
    el(
      'device',
      { classCode: 'DEV', determinerCode: 'INSTANCE' },
      el('id', { root: OID.asid, extension: asid }),
    ),
  );
}

function reasonElement(reason: BusinessReason): XmlElementSpec {
  return el(
    'reason',
    { typeCode: 'RSON' },
    el(
      'justifyingDetectedIssueEvent',
      { classCode: 'ALRT', moodCode: 'EVN' },
      el(
        'code',
        {
          code: reason.code,
          codeSystem: reason.codeSystem ?? OID.ebsResponse,
          displayName: reason.displayName,
        },
        el('qualifier', {}, el('value', { code: reason.qualifier, codeSystem: OID.detectedIssueQualifier })),
      ),
    ),
  );
}

/**
 * Readies a payload for embedding: drops an XML declaration, and the payload root's own
 * `xmlns="urn:hl7-org:v3"` (payload builders declare it so their output stands alone; inside
 * the wrapper it repeats the root's). Refuses a fragment that is not well-formed.
 */
function checkedPayload(payloadXml: string): string {
  const payload = payloadXml
    .replace(/^\uFEFF?\s*(<\?xml[^?]*\?>)?\s*/, '')
    .replace(/^(<[A-Za-z_][\w.-]*(?:\s+[\w.:-]+="[^"]*")*?)\s+xmlns="urn:hl7-org:v3"/, '$1')
    .trimEnd();
  try {
    withXml(payload, () => undefined);
  } catch (error) {
    throw new Hl7Error(`payload is not well-formed XML: ${(error as Error).message}`, { cause: error });
  }
  return payload;
}
