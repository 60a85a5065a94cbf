// A hand-built ebXML envelope as mhs-gateway sends it, with the SOAP prefix as a parameter,
// plus the two MIME parts its manifest names.

export const HL7_CID = '3F2504E0-4F89-11D3-9A0C-0305E82C3301@spine.nhs.uk';
export const ATTACHMENT_CID = '9B2E7C1A-05D4-4C3B-8F51-6A0D3E4B2C10@spine.nhs.uk';

export const HL7_PAYLOAD = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    '<REPC_IN150016UK05 xmlns="urn:hl7-org:v3"><id root="3F2504E0-4F89-11D3-9A0C-0305E82C3301"/>' +
    '<creationTime value="20260105100000"/></REPC_IN150016UK05>\r\n',
  'utf8',
);

/** Binary attachment bytes (as after Content-Transfer-Encoding was undone). */
export const ATTACHMENT = Buffer.concat([
  Buffer.from('%PDF-1.4\r\n', 'latin1'),
  Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0xe2, 0x82, 0xac]),
  Buffer.from('\r\n%%EOF\r\n', 'latin1'),
]);

export function partsMap(): Map<string, Buffer> {
  return new Map([
    [HL7_CID, HL7_PAYLOAD],
    [ATTACHMENT_CID, ATTACHMENT],
  ]);
}

export const PARTS = [
  { contentId: HL7_CID, content: HL7_PAYLOAD },
  { contentId: ATTACHMENT_CID, content: ATTACHMENT },
];

export const MANIFEST_HREFS = [`cid:${HL7_CID}`, `cid:${ATTACHMENT_CID}`];

export function ebxmlEnvelope(soap = 'SOAP', cpaId = 'S20001A000182'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<${soap}:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:${soap}="http://schemas.xmlsoap.org/soap/envelope/" xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd" xmlns:hl7ebxml="urn:hl7-org:transport/ebXML/DSTUv1.0" xmlns:xlink="http://www.w3.org/1999/xlink">
  <${soap}:Header>
    <eb:MessageHeader ${soap}:mustUnderstand="1" eb:version="2.0">
      <eb:From><eb:PartyId eb:type="urn:nhs:names:partyType:ocs+serviceInstance">RHM-801710</eb:PartyId></eb:From>
      <eb:To><eb:PartyId eb:type="urn:nhs:names:partyType:ocs+serviceInstance">YES-0000806</eb:PartyId></eb:To>
      <eb:CPAId>${cpaId}</eb:CPAId>
      <eb:ConversationId>3F2504E0-4F89-11D3-9A0C-0305E82C3301</eb:ConversationId>
      <eb:Service>urn:nhs:names:services:ebs</eb:Service>
      <eb:Action>REPC_IN150016UK05</eb:Action>
      <eb:MessageData>
        <eb:MessageId>3F2504E0-4F89-11D3-9A0C-0305E82C3301</eb:MessageId>
        <eb:Timestamp>2026-01-05T10:00:00Z</eb:Timestamp>
      </eb:MessageData>
    </eb:MessageHeader>
    <eb:DuplicateElimination/>
    <eb:AckRequested ${soap}:mustUnderstand="1" eb:version="2.0" ${soap}:actor="urn:oasis:names:tc:ebxml-msg:actor:nextMSH" eb:signed="false"/>
    <eb:SyncReply ${soap}:mustUnderstand="1" eb:version="2.0" ${soap}:actor="http://schemas.xmlsoap.org/soap/actor/next"/>
  </${soap}:Header>
  <${soap}:Body>
    <eb:Manifest eb:version="2.0">
      <eb:Reference xlink:href="cid:${HL7_CID}">
        <eb:Schema eb:location="http://www.nhsia.nhs.uk/schemas/HL7-Message.xsd" eb:version="1.0"/>
        <eb:Description xml:lang="en">HL7 payload</eb:Description>
        <hl7ebxml:Payload style="HL7" encoding="XML" version="3.0"/>
      </eb:Reference>
      <eb:Reference xlink:href="cid:${ATTACHMENT_CID}">
        <eb:Description xml:lang="en">Referral letter &amp; notes</eb:Description>
      </eb:Reference>
    </eb:Manifest>
  </${soap}:Body>
</${soap}:Envelope>
`;
}

/**
 * Edge cases for the XPath filter: hidden blocks with children, their own namespace
 * declarations (default and prefixed), qualified attributes, xml:lang and comments; a hidden
 * block nested inside a signed one; and look-alikes that must stay signed (a mistyped actor URN,
 * an unqualified `actor` attribute, the toPartyMSH actor).
 */
export function trickyEnvelope(soap = 'SOAP'): string {
  const nextMsh = 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH';
  return `<?xml version="1.0" encoding="UTF-8"?>
<${soap}:Envelope xmlns:${soap}="http://schemas.xmlsoap.org/soap/envelope/" xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd">
<${soap}:Header>
<eb:MessageHeader ${soap}:mustUnderstand="1" eb:version="2.0"><eb:CPAId>S1</eb:CPAId></eb:MessageHeader>
<eb:AckRequested xmlns="urn:example:default" xmlns:x="urn:example:x" x:flag="1" xml:lang="en" ${soap}:mustUnderstand="1" eb:version="2.0" ${soap}:actor="${nextMsh}" eb:signed="false"><!-- hidden comment --><Inner x:attr="a">text<x:Deeper/></Inner></eb:AckRequested>
<x:Outer xmlns:x="urn:example:x" ${soap}:mustUnderstand="0"><x:Kept>kept</x:Kept><x:Hop ${soap}:actor="http://schemas.xmlsoap.org/soap/actor/next" xmlns:y="urn:example:y"><y:Gone>gone</y:Gone></x:Hop><x:After/></x:Outer>
<eb:AckRequested ${soap}:mustUnderstand="1" eb:version="2.0" ${soap}:actor="urn:oasis:names:tc:ebxml-msg:actor:toPartyMSH" eb:signed="false"/>
<eb:Mistyped ${soap}:actor="urn:oasis:names:tc:ebxml-msg:service:nextMSH">mistyped stays signed</eb:Mistyped>
<eb:Unqualified actor="${nextMsh}">unqualified stays signed</eb:Unqualified>
</${soap}:Header>
<${soap}:Body/>
</${soap}:Envelope>
`;
}

/** Replaces exactly one occurrence; throws if `from` is absent, so a tamper test cannot pass vacuously. */
export function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`tamper target not found: ${String(from)}`);
  return text.replace(from, to);
}

/** The ds:Signature element text of a signed envelope (ours uses the `ds` prefix). */
export function signatureText(signedXml: string): string {
  const match = /<ds:Signature[\s>][\s\S]*<\/ds:Signature>/.exec(signedXml);
  if (!match) throw new Error('no ds:Signature in the envelope');
  return match[0];
}
