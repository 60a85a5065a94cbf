// Reads wrapper S or A and its control act. Lenient about what it does not need, strict about
// what correlation depends on: the root, the message id and, in wrapper A, the acknowledgement.
import { attribute, element, elements, NS, outerXml, text, withXml, type XmlElement } from '../xml/index.js';
import { APPLICATION_ACKNOWLEDGEMENT, INTERACTION_ID } from './constants.js';
import { Hl7Error } from './errors.js';

import type {
  AcknowledgementDetail,
  AcknowledgementFields,
  AcknowledgementType,
  ApplicationAcknowledgement,
  BusinessReason,
  IssueQualifier,
  ParsedWrapper,
} from './types.js';

const ACK_TYPES: readonly AcknowledgementType[] = ['AA', 'AE', 'AR'];
const QUALIFIERS: readonly IssueQualifier[] = ['ER', 'WG', 'IF'];

export function parseWrapper(hl7Xml: string | Buffer): ParsedWrapper {
  const source = typeof hl7Xml === 'string' ? hl7Xml : hl7Xml.toString('utf8');
  try {
    return withXml(hl7Xml, (doc) => readWrapper(doc.root, source));
  } catch (error) {
    if (error instanceof Hl7Error) throw error;
    throw new Hl7Error(`HL7 message cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** From the HL7 text, or from a wrapper already parsed (the receive pipeline has one: no second parse). */
export function parseApplicationAcknowledgement(
  hl7Xml: string | Buffer | ParsedWrapper,
): ApplicationAcknowledgement {
  const wrapper = typeof hl7Xml === 'string' || Buffer.isBuffer(hl7Xml) ? parseWrapper(hl7Xml) : hl7Xml;
  if (wrapper.interactionId !== APPLICATION_ACKNOWLEDGEMENT) {
    throw new Hl7Error(`expected ${APPLICATION_ACKNOWLEDGEMENT}, got ${wrapper.interactionId}`);
  }
  const ack = wrapper.acknowledgement;
  if (!ack) throw new Hl7Error(`${APPLICATION_ACKNOWLEDGEMENT} has no acknowledgement element`);
  return {
    messageId: wrapper.messageId,
    typeCode: ack.typeCode,
    messageRef: ack.messageRef,
    details: ack.details ?? [],
    reasons: wrapper.reasons,
  };
}

/** The wrapper of a document already parsed (its root element and the text it was parsed from). */
export function readWrapper(root: XmlElement, source: string): ParsedWrapper {
  const rootName = root.name;
  if (root.namespaceUri !== NS.hl7 || !INTERACTION_ID.test(rootName)) {
    throw new Hl7Error(`root element {${root.namespaceUri}}${rootName} is not an HL7 V3 interaction`);
  }
  const declared = text(root, 'hl7:interactionId/@extension');
  if (declared !== undefined && declared !== rootName) {
    throw new Hl7Error(`root element ${rootName} does not match interactionId ${declared}`);
  }
  const messageId = text(root, 'hl7:id/@root');
  if (!messageId) throw new Hl7Error(`${rootName}/id/@root is missing`);

  const acknowledgement = element(root, 'hl7:acknowledgement');
  const controlAct = element(root, 'hl7:ControlActEvent');
  const payload = controlAct && element(controlAct, 'hl7:subject/*[1]');
  return {
    interactionId: rootName,
    messageId,
    creationTime: text(root, 'hl7:creationTime/@value'),
    versionCode: text(root, 'hl7:versionCode/@code'),
    processingCode: text(root, 'hl7:processingCode/@code'),
    toAsid: text(root, 'hl7:communicationFunctionRcv/hl7:device/hl7:id/@extension'),
    fromAsid: text(root, 'hl7:communicationFunctionSnd/hl7:device/hl7:id/@extension'),
    acknowledgement: acknowledgement && readAcknowledgement(acknowledgement, rootName),
    reasons: controlAct
      ? elements(controlAct, 'hl7:reason/hl7:justifyingDetectedIssueEvent/hl7:code').map(readReason)
      : [],
    payloadXml: payload && outerXml(source, payload),
  };
}

function readAcknowledgement(ack: XmlElement, rootName: string): AcknowledgementFields {
  const typeCode = oneOf(attribute(ack, 'typeCode'), ACK_TYPES, `${rootName}/acknowledgement/@typeCode`);
  const messageRef = text(ack, 'hl7:messageRef/hl7:id/@root');
  if (!messageRef) throw new Hl7Error(`${rootName}/acknowledgement/messageRef/id/@root is missing`);
  const details = elements(ack, 'hl7:acknowledgementDetail').map((detail): AcknowledgementDetail => {
    const code = element(detail, 'hl7:code');
    return withoutUndefined({
      typeCode: oneOf(attribute(detail, 'typeCode'), QUALIFIERS, 'acknowledgementDetail/@typeCode'),
      code: (code && attribute(code, 'code')) ?? '',
      displayName: code && attribute(code, 'displayName'),
      codeSystem: code && attribute(code, 'codeSystem'),
    });
  });
  return { typeCode, messageRef, details };
}

function readReason(code: XmlElement): BusinessReason {
  // The model puts the qualifier in qualifier/value; some senders write qualifier/@code.
  // It is mandatory, but a reason without one is still an error report: read it as ER.
  const qualifier = text(code, 'hl7:qualifier/hl7:value/@code') ?? text(code, 'hl7:qualifier/@code') ?? 'ER';
  return withoutUndefined({
    code: attribute(code, 'code') ?? '',
    displayName: attribute(code, 'displayName'),
    qualifier: oneOf(qualifier, QUALIFIERS, 'reason/justifyingDetectedIssueEvent/code/qualifier'),
    codeSystem: attribute(code, 'codeSystem'),
  });
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], where: string): T {
  if (value === undefined) throw new Hl7Error(`${where} is missing`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Hl7Error(`${where} is "${value}", expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Optional fields are left out rather than set to undefined, so parsed values compare cleanly. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
