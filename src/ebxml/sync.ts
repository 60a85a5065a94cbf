// The synchronous SOAP pattern: SOAP 1.1 with WS-Addressing and the HL7
// communicationFunction header, one text/xml part, no ebXML header and no attachments.
import { attribute, element, elements, NS, outerXml, withXml } from '../xml/index.js';
import type { HttpMessage } from './model.js';
import { checkHeaderValue, xmlAttr, xmlText } from './values.js';

const ASID_ROOT = '1.2.826.0.1285.0.2.0.107';
const INTERACTION_NAME = /^[A-Z]{4}_IN\d{6}UK\d{2}$/;

export interface SyncRequest {
  messageId: string;
  /** e.g. urn:nhs:names:services:pdsquery */
  service: string;
  interactionId: string;
  toAsid: string;
  fromAsid: string;
  /** The HL7 interaction element. */
  payloadXml: string;
}

export function buildSyncRequest(request: SyncRequest): HttpMessage {
  const action = `${request.service}/${request.interactionId}`;
  const hl7 = request.payloadXml.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:hl7="${NS.hl7}">
  <SOAP-ENV:Header>
    <wsa:MessageID>uuid:${xmlText(request.messageId)}</wsa:MessageID>
    <wsa:Action>${xmlText(action)}</wsa:Action>
    <wsa:To>${xmlText(request.service)}</wsa:To>
    <wsa:From><wsa:Address/></wsa:From>
    <hl7:communicationFunctionRcv><hl7:device><hl7:id root="${ASID_ROOT}" extension="${xmlAttr(request.toAsid)}"/></hl7:device></hl7:communicationFunctionRcv>
    <hl7:communicationFunctionSnd><hl7:device><hl7:id root="${ASID_ROOT}" extension="${xmlAttr(request.fromAsid)}"/></hl7:device></hl7:communicationFunctionSnd>
    <wsa:ReplyTo><wsa:Address/></wsa:ReplyTo>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>${hl7}</SOAP-ENV:Body>
</SOAP-ENV:Envelope>
`;
  return {
    contentType: 'text/xml; charset=UTF-8',
    soapAction: checkHeaderValue('SOAPAction', action),
    body: Buffer.from(xml, 'utf8'),
  };
}

export interface SyncMessage {
  /** wsa:MessageID without the `uuid:` prefix. */
  messageId?: string;
  action?: string;
  /** wsa:RelatesTo without `uuid:`: the request this answers. */
  relatesTo?: string;
  toAsid?: string;
  fromAsid?: string;
  /** The first HL7 element found under Body, whatever wrapper holds it, as received. */
  hl7?: string;
  hl7Root?: string;
}

/** Reads a sync SOAP request or response; undefined when the document is not WS-Addressing SOAP. */
export function parseSyncMessage(xml: string | Buffer): SyncMessage | undefined {
  const source = typeof xml === 'string' ? xml : xml.toString('utf8');
  return withXml(source, (doc) => {
    const header = element(doc.root, '/soap:Envelope/soap:Header');
    if (!header || !element(header, 'wsa:*')) return undefined;
    const strip = (value: string | undefined) => value?.trim().replace(/^uuid:/i, '');
    const message: SyncMessage = {};
    const id = strip(element(header, 'wsa:MessageID')?.content);
    if (id) message.messageId = id;
    const action = element(header, 'wsa:Action')?.content.trim();
    if (action) message.action = action;
    const relatesTo = strip(element(header, 'wsa:RelatesTo')?.content);
    if (relatesTo) message.relatesTo = relatesTo;
    const rcv = element(header, 'hl7:communicationFunctionRcv/hl7:device/hl7:id');
    const snd = element(header, 'hl7:communicationFunctionSnd/hl7:device/hl7:id');
    const toAsid = rcv && attribute(rcv, 'extension');
    const fromAsid = snd && attribute(snd, 'extension');
    if (toAsid) message.toAsid = toAsid;
    if (fromAsid) message.fromAsid = fromAsid;
    // Spine's service wrapper (retrievalQueryResponse…) may share the HL7 namespace: the payload is the
    // first element named like an interaction, at any depth.
    const payload = elements(doc.root, '/soap:Envelope/soap:Body//hl7:*').find((el) =>
      INTERACTION_NAME.test(el.name),
    );
    if (payload) {
      message.hl7 = outerXml(source, payload);
      message.hl7Root = payload.name;
    }
    return message;
  });
}

/** Spine's sync response: the same header shape, RelatesTo the request, HL7 inside a service wrapper. */
export function buildSyncResponse(response: {
  messageId: string;
  relatesTo: string;
  action: string;
  service: string;
  toAsid: string;
  fromAsid: string;
  wrapper: string;
  payloadXml: string;
}): HttpMessage {
  if (!/^[A-Za-z_][\w.-]*$/.test(response.wrapper))
    throw new RangeError(`wrapper ${response.wrapper} is not an XML name`);
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns="${NS.hl7}">
  <SOAP-ENV:Header>
    <wsa:MessageID>uuid:${xmlText(response.messageId)}</wsa:MessageID>
    <wsa:Action>${xmlText(response.action)}</wsa:Action>
    <wsa:To/>
    <wsa:From><wsa:Address>${xmlText(response.service)}</wsa:Address></wsa:From>
    <communicationFunctionRcv><device><id root="${ASID_ROOT}" extension="${xmlAttr(response.toAsid)}"/></device></communicationFunctionRcv>
    <communicationFunctionSnd><device><id root="${ASID_ROOT}" extension="${xmlAttr(response.fromAsid)}"/></device></communicationFunctionSnd>
    <wsa:RelatesTo>uuid:${xmlText(response.relatesTo)}</wsa:RelatesTo>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body><${response.wrapper}>${response.payloadXml.replace(/^\s*<\?xml[^>]*\?>\s*/, '')}</${response.wrapper}></SOAP-ENV:Body>
</SOAP-ENV:Envelope>
`;
  return {
    contentType: 'text/xml; charset=UTF-8',
    soapAction: response.action,
    body: Buffer.from(xml, 'utf8'),
  };
}
