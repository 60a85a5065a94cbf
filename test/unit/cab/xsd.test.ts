// Our HL7 XSDs (schemas/hl7): strict where we know the structure, lax where MIM 3.1.09 may
// differ. Each case starts from a golden sample and changes one thing.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAB_INTERACTIONS } from '../../../src/cab/index.js';
import { readGolden } from './golden.js';
import { BOOKED_USRN, UBRN } from './samples.js';
import { expectInvalid, expectValid, HL7_SCHEMA_DIR, interactionSchema, xmllintValidate } from './xsd.js';

const golden = (interactionId: string) => readGolden(`mim-samples/cab/${interactionId}.xml`).toString('utf8');
const payload = (interactionId: string) =>
  readGolden(`mim-samples/cab/payloads/${interactionId}.xml`).toString('utf8');

/** Replaces exactly one occurrence, so a test cannot silently change nothing. */
function edit(xml: string, from: string | RegExp, to: string): string {
  const matches =
    typeof from === 'string' ? xml.split(from).length - 1 : (xml.match(new RegExp(from, 'g')) ?? []).length;
  expect(matches, `${from} should occur once`).toBe(1);
  return xml.replace(from, to);
}

const UBRN_ID = `<id root="2.16.840.1.113883.2.1.3.2.4.1" extension="${UBRN}"/>`;

describe('schemas/hl7 layout', () => {
  it('has one schema per C&B interaction and the application acknowledgement, plus the shared parts', () => {
    const files = readdirSync(HL7_SCHEMA_DIR)
      .filter((name) => name.endsWith('.xsd'))
      .sort();
    expect(files).toEqual(
      [
        ...Object.keys(CAB_INTERACTIONS).map((id) => `${id}.xsd`),
        'MCCI_IN010000UK13.xsd',
        'cab-payloads.xsd',
        'control-act.xsd',
        'datatypes.xsd',
        'transmission-wrapper.xsd',
      ].sort(),
    );
  });

  it('validates the application acknowledgements of src/hl7 (AA, AE, AR)', () => {
    for (const type of ['AA', 'AE', 'AR']) {
      expectValid(
        interactionSchema('MCCI_IN010000UK13'),
        readGolden(`mim-samples/hl7/MCCI_IN010000UK13-${type}.xml`),
      );
    }
  });

  it('refuses a message whose root another schema covers', () => {
    expectInvalid(
      interactionSchema('PRSC_IN050000UK06'),
      golden('PRSC_IN060000UK06'),
      /No matching global declaration/,
    );
  });
});

describe('transmission wrapper and control act', () => {
  it('accepts what e-RS adds: xsi:schemaLocation, extra namespaces, a second author1, a person author', () => {
    let xml = edit(
      golden('PRSC_IN080000UK07'),
      '<PRSC_IN080000UK07 xmlns="urn:hl7-org:v3">',
      '<PRSC_IN080000UK07 xmlns="urn:hl7-org:v3" xmlns:voc="urn:hl7-org:v3/voc" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:hl7-org:v3 PRSC_IN080000UK07.xsd">',
    );
    xml = edit(
      xml,
      '<ControlActEvent classCode="CACT" moodCode="EVN">',
      '<ControlActEvent classCode="CACT" moodCode="EVN"><author typeCode="AUT"><AgentPersonSDS classCode="AGNT"><id root="1.2.826.0.1285.0.2.0.67" extension="555123456789"/></AgentPersonSDS></author>',
    );
    xml = edit(
      xml,
      '</author1>',
      '</author1><author1 typeCode="AUT"><AgentSystemSDS classCode="AGNT"><agentSystemSDS classCode="DEV" determinerCode="INSTANCE"><id root="1.2.826.0.1285.0.2.0.108" extension="WS01"/></agentSystemSDS></AgentSystemSDS></author1>',
    );
    expectValid(interactionSchema('PRSC_IN080000UK07'), xml);
  });

  it.each([
    [
      'communicationFunctionSnd before Rcv',
      (xml: string) =>
        xml.replace(
          /(<communicationFunctionRcv[\s\S]*?<\/communicationFunctionRcv>)\s*(<communicationFunctionSnd[\s\S]*?<\/communicationFunctionSnd>)/,
          '$2$1',
        ),
      /communicationFunctionSnd': This element is not expected. Expected is \( \{urn:hl7-org:v3\}communicationFunctionRcv/,
    ],
    [
      'an interactionId of another interaction',
      (xml: string) => edit(xml, 'extension="PRSC_IN130000UK07"', 'extension="PRSC_IN140000UK06"'),
      /interactionId', attribute 'extension'.*fixed value constraint/,
    ],
    [
      'a lower-case processingCode',
      (xml: string) => edit(xml, '<processingCode code="P"/>', '<processingCode code="p"/>'),
      /processingCode', attribute 'code'/,
    ],
    [
      'a message id that is not a UUID',
      (xml: string) =>
        edit(xml, '<id root="8A0CCE46-F17D-4F9A-ACB4-D3F57B9DBFD6"/>', '<id root="not-a-uuid"/>'),
      /'not-a-uuid' is not accepted by the pattern/,
    ],
    [
      'an acknowledgement in wrapper S',
      (xml: string) =>
        edit(
          xml,
          '<acceptAckCode code="NE"/>',
          '<acceptAckCode code="NE"/><acknowledgement typeCode="AA"><messageRef><id root="8A0CCE46-F17D-4F9A-ACB4-D3F57B9DBFD6"/></messageRef></acknowledgement>',
        ),
      /acknowledgement': This element is not expected/,
    ],
    [
      'no author1',
      (xml: string) => xml.replace(/<author1[\s\S]*<\/author1>/, ''),
      /subject': This element is not expected. Expected is one of \( \{urn:hl7-org:v3\}author, \{urn:hl7-org:v3\}author1 \)/,
    ],
    [
      'a payload of another message type',
      (xml: string) =>
        xml.replace(
          /<AppointmentCancellation[\s\S]*<\/AppointmentCancellation>/,
          payload('PRSC_IN050000UK06').replace(' xmlns="urn:hl7-org:v3"', ''),
        ),
      /RequestedAppointment': This element is not expected. Expected is \( \{urn:hl7-org:v3\}AppointmentCancellation/,
    ],
  ])('refuses wrapper S with %s', (_label, change, message) => {
    expectInvalid(interactionSchema('PRSC_IN130000UK07'), change(golden('PRSC_IN130000UK07')), message);
  });

  it.each([
    [
      'no acknowledgement',
      (xml: string) => xml.replace(/<acknowledgement[\s\S]*<\/acknowledgement>/, ''),
      /communicationFunctionRcv': This element is not expected. Expected is \( \{urn:hl7-org:v3\}acknowledgement/,
    ],
    [
      'no messageRef',
      (xml: string) => xml.replace(/<messageRef>[\s\S]*<\/messageRef>/, ''),
      /acknowledgement': Missing child element/,
    ],
    [
      'an unknown acknowledgement type',
      (xml: string) => edit(xml, 'typeCode="AA"', 'typeCode="CA"'),
      /acknowledgement', attribute 'typeCode'/,
    ],
    [
      'a reason without its qualifier',
      (xml: string) => xml.replace(/<qualifier>[\s\S]*<\/qualifier>/, ''),
      /code': Missing child element\(s\). Expected is \( \{urn:hl7-org:v3\}qualifier/,
    ],
  ])('refuses wrapper A with %s', (_label, change, message) => {
    expectInvalid(interactionSchema('PRSC_IN060000UK06'), change(golden('PRSC_IN060000UK06')), message);
  });
});

describe('C&B payloads: strict on what we know', () => {
  it('refuses an AppointmentCancellation without its UBRN id', () => {
    expectInvalid(
      interactionSchema('PRSC_IN140000UK06'),
      edit(golden('PRSC_IN140000UK06'), UBRN_ID, ''),
      /AppointmentCancellation': Missing child element\(s\). Expected is \( \{urn:hl7-org:v3\}id \)/,
    );
  });

  it('refuses a RequestedAppointment whose UBRN has no extension, or another root', () => {
    const schema = interactionSchema('PRSC_IN050000UK06');
    expectInvalid(
      schema,
      edit(payload('PRSC_IN050000UK06'), ` extension="${UBRN}"`, ''),
      /attribute 'extension' is required/,
    );
    expectInvalid(
      schema,
      edit(
        payload('PRSC_IN050000UK06'),
        'root="2.16.840.1.113883.2.1.3.2.4.1"',
        'root="2.16.840.1.113883.2.1.3.2.4.2"',
      ),
      /attribute 'root'.*fixed value constraint/,
    );
  });

  it('refuses a notification with its elements out of order', () => {
    const xml = golden('PRSC_IN130000UK07').replace(
      /(<reasonCode [^>]*\/>)\s*(<subject typeCode="SBJ">[\s\S]*?<\/subject>)/,
      '$2$1',
    );
    expect(xml).not.toBe(golden('PRSC_IN130000UK07'));
    expectInvalid(
      interactionSchema('PRSC_IN130000UK07'),
      xml,
      /subject': This element is not expected. Expected is \( \{urn:hl7-org:v3\}reasonCode \)/,
    );
  });

  it('refuses a booking request with fulfillment before inFulfillmentOf', () => {
    const xml = golden('PRSC_IN040000UK08').replace(
      /(<inFulfillmentOf[\s\S]*?<\/inFulfillmentOf>)\s*(<fulfillment[\s\S]*?<\/fulfillment>)/,
      '$2$1',
    );
    expectInvalid(
      interactionSchema('PRSC_IN040000UK08'),
      xml,
      /fulfillment': This element is not expected. Expected is \( \{urn:hl7-org:v3\}inFulfillmentOf \)/,
    );
  });

  it('refuses a cancelled slot without an id, and an empty list', () => {
    const schema = interactionSchema('PRSC_IN100000UK06');
    const xml = golden('PRSC_IN100000UK06');
    expectInvalid(
      schema,
      xml.replace(/<appointmentSlot ([^>]*)>\s*<id [^>]*\/>\s*<\/appointmentSlot>/, '<appointmentSlot $1/>'),
      /appointmentSlot': Missing child element\(s\). Expected is \( \{urn:hl7-org:v3\}id \)/,
    );
    expectInvalid(
      schema,
      xml.replace(/<component[\s\S]*<\/component>/, ''),
      /CancelledSlotList': Missing child element\(s\). Expected is \( \{urn:hl7-org:v3\}component \)/,
    );
  });

  it('refuses an available slot without an id, or with an unknown priority code', () => {
    const schema = interactionSchema('PRSC_IN090000UK09');
    const xml = golden('PRSC_IN090000UK09');
    expectInvalid(
      schema,
      edit(xml, `<id root="${BOOKED_USRN}"/>`, ''),
      /effectiveTime': This element is not expected. Expected is \( \{urn:hl7-org:v3\}id \)/,
    );
    expectInvalid(
      schema,
      edit(xml, '<priorityCode code="3"', '<priorityCode code="4"'),
      /priorityCode', attribute 'code'/,
    );
  });

  it('refuses a 9-digit NHS number, a USRN that is not a UUID and a wrong classCode', () => {
    const schema = interactionSchema('PRSC_IN110000UK08');
    const xml = golden('PRSC_IN110000UK08');
    expectInvalid(
      schema,
      edit(xml, 'extension="9434765919"', 'extension="943476591"'),
      /'943476591' is not accepted by the pattern/,
    );
    expectInvalid(
      schema,
      edit(xml, `<id root="${BOOKED_USRN}"/>`, '<id root="slot-1"/>'),
      /'slot-1' is not accepted by the pattern/,
    );
    expectInvalid(
      schema,
      edit(xml, '<DnaList classCode="LIST"', '<DnaList classCode="ACT"'),
      /DnaList', attribute 'classCode'.*fixed value constraint/,
    );
  });

  it('refuses a cancellation request without its reason code or patient', () => {
    const schema = interactionSchema('PRSC_IN070000UK08');
    const xml = golden('PRSC_IN070000UK08');
    expectInvalid(
      schema,
      xml.replace(/<reasonCode [^>]*\/>/, ''),
      /subject': This element is not expected. Expected is \( \{urn:hl7-org:v3\}reasonCode \)/,
    );
    expectInvalid(
      schema,
      xml.replace(/<subject typeCode="SBJ">[\s\S]*?<\/subject>/, ''),
      /Expected is \( \{urn:hl7-org:v3\}subject \)/,
    );
  });
});

describe('C&B payloads: lax where MIM 3.1.09 may differ', () => {
  it('accepts a booking request without id, with pertinentInformation and a later addition', () => {
    let xml = payload('PRSC_IN040000UK08').replace(/<id root="F0E1D2C3[^>]*\/>/, '');
    xml = xml.replaceAll('pertinentInformation1', 'pertinentInformation');
    xml = edit(xml, '</fulfillment>', '</fulfillment><component typeCode="COMP"><whatever/></component>');
    expectValid(interactionSchema('PRSC_IN040000UK08'), xml);
  });

  it('accepts a cancellation request with correspondence suppression and no slot', () => {
    const xml = payload('PRSC_IN070000UK08').replace(
      /<pertinentInformation[\s\S]*<\/pertinentInformation>/,
      '<component typeCode="COMP"><correspondenceSuppression classCode="OBS" moodCode="EVN"><value value="true"/></correspondenceSuppression></component>',
    );
    expectValid(interactionSchema('PRSC_IN070000UK08'), xml);
  });

  it('accepts a slot timed by a single value, with availability time and performer, and a mistyped clinic OID', () => {
    let xml = payload('PRSC_IN090000UK09');
    xml = xml.replace(
      /<effectiveTime>\s*<low value="202601060900"\/>\s*<high value="202601060915"\/>\s*<\/effectiveTime>/,
      '<effectiveTime value="20260106090000"/><availabilityTime value="20251220"/><performer typeCode="PRF"><any/></performer>',
    );
    xml = edit(xml, '2.16.840.1.113883.2.1.3.2.4.2', '2.16.840.113883.2.1.4.2');
    expect(xmllintValidate(interactionSchema('PRSC_IN090000UK09'), xml)).toEqual({ valid: true, errors: [] });
  });
});
