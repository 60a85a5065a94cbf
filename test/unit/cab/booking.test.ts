import { describe, expect, it } from 'vitest';
import {
  type AppointmentRequest,
  buildAppointmentRequestPayload,
  buildRequestedAppointmentPayload,
  parseAppointmentRequest,
  parseRequestedAppointment,
} from '../../../src/cab/index.js';
import { parseWrapper, wrapPayload } from '../../../src/hl7/index.js';
import { withXml } from '../../../src/xml/index.js';
import { caught } from './caught.js';
import { readGolden } from './golden.js';
import { APPOINTMENT_REQUEST, BOOKED_USRN, NHS_NUMBER, UBRN } from './samples.js';
import { expectValid, interactionSchema } from './xsd.js';

const hl7 = (interactionId: string) => readGolden(`mim-samples/cab/${interactionId}.xml`);

describe('RequestAppointmentConfirmation (PRSC_IN040000UK08)', () => {
  it('round-trips through the golden HL7 message', () => {
    const wrapper = parseWrapper(hl7('PRSC_IN040000UK08'));
    expect(parseAppointmentRequest(wrapper.payloadXml!)).toEqual(APPOINTMENT_REQUEST);
  });

  it('round-trips the bare minimum: no id, referral or priority', () => {
    const minimal: AppointmentRequest = { ubrn: UBRN, usrn: BOOKED_USRN, nhsNumber: NHS_NUMBER };
    const xml = buildAppointmentRequestPayload(minimal);
    expect(xml).not.toMatch(/pertinentInformation|<id root="[0-9A-F-]{36}"\/>\s*<subject/);
    expect(parseAppointmentRequest(xml)).toEqual(minimal);
    expectValid(interactionSchema('PRSC_IN040000UK08'), xml);
  });

  it('round-trips a referral with only a priority, and an author with only an ODS code', () => {
    const request: AppointmentRequest = {
      ...APPOINTMENT_REQUEST,
      priority: 'two-week-wait',
      referral: { author: { odsCode: 'B86001' } },
    };
    const xml = buildAppointmentRequestPayload(request);
    expect(parseAppointmentRequest(xml)).toEqual(request);
    expectValid(interactionSchema('PRSC_IN040000UK08'), xml);
    const priorityOnly = {
      ubrn: UBRN,
      usrn: BOOKED_USRN,
      nhsNumber: NHS_NUMBER,
      priority: 'routine' as const,
    };
    expect(parseAppointmentRequest(buildAppointmentRequestPayload(priorityOnly))).toEqual(priorityOnly);
  });

  it('reads a request as 3.1.09 may write it: pertinentInformation, AgentPersonSDS, ids in any order, TS with seconds', () => {
    const xml = `<RequestAppointmentConfirmation xmlns="urn:hl7-org:v3" classCode="PCPR" moodCode="RQO">
      <subject typeCode="SBJ"><patient classCode="PAT"><id root="2.16.840.1.113883.2.1.4.1" extension="${NHS_NUMBER}"/></patient></subject>
      <pertinentInformation typeCode="PERT"><pertinentReferral classCode="INFRM" moodCode="EVN">
        <effectiveTime value="20251215103000"/><priorityCode code="1" codeSystem="2.16.840.1.113883.2.1.3.2.4.17.95"/>
        <author typeCode="AUT"><AgentPersonSDS classCode="AGNT">
          <representedOrganisationSDS classCode="ORG" determinerCode="INSTANCE"><id root="1.2.826.0.1285.0.1.10" extension="Y01"/></representedOrganisationSDS>
          <agentPersonSDS classCode="PSN" determinerCode="INSTANCE"><id root="1.2.826.0.1285.0.2.0.65" extension="U1"/></agentPersonSDS>
          <id root="1.2.826.0.1285.0.2.0.67" extension="R1"/>
        </AgentPersonSDS></author>
      </pertinentReferral></pertinentInformation>
      <inFulfillmentOf typeCode="FLFS"><priorRequestedService classCode="SPLY" moodCode="PRMS"><id root="2.16.840.1.113883.2.1.3.2.4.1" extension="${UBRN}"/></priorRequestedService></inFulfillmentOf>
      <fulfillment typeCode="FLFS"><appointmentSlot classCode="SPLY" moodCode="SLOT"><id root="${BOOKED_USRN}"/></appointmentSlot></fulfillment>
    </RequestAppointmentConfirmation>`;
    expect(parseAppointmentRequest(xml)).toEqual({
      ubrn: UBRN,
      usrn: BOOKED_USRN,
      nhsNumber: NHS_NUMBER,
      priority: 'routine',
      referral: {
        effectiveTime: '2025-12-15T10:30:00Z',
        author: { sdsRoleProfileId: 'R1', sdsUserId: 'U1', odsCode: 'Y01' },
      },
    });
  });

  it('keeps values with markup characters intact, through the wrapper too', () => {
    const request: AppointmentRequest = {
      ...APPOINTMENT_REQUEST,
      referral: { author: { sdsUserId: `<u&"'>`, odsCode: 'A&B' } },
    };
    const xml = buildAppointmentRequestPayload(request);
    withXml(xml, () => undefined);
    expect(xml).toContain('extension="&lt;u&amp;&quot;&apos;&gt;"');
    expect(parseAppointmentRequest(xml)).toEqual(request);
    const wrapped = wrapPayload(
      {
        interactionId: 'PRSC_IN040000UK08',
        messageId: 'A0000000-0000-4000-8000-000000000000',
        creationTime: new Date(0),
        toAsid: '1',
        fromAsid: '2',
      },
      xml,
    );
    expect(parseAppointmentRequest(parseWrapper(wrapped).payloadXml!)).toEqual(request);
  });

  it.each([
    [
      /<inFulfillmentOf[\s\S]*<\/inFulfillmentOf>/,
      'RequestAppointmentConfirmation/inFulfillmentOf/priorRequestedService/id/@root',
    ],
    [
      /<fulfillment[\s\S]*<\/fulfillment>/,
      'RequestAppointmentConfirmation/fulfillment/appointmentSlot/id/@root',
    ],
    [/<subject[\s\S]*<\/subject>/, 'RequestAppointmentConfirmation/subject/patient/id/@root'],
    [
      ` extension="${UBRN}"`,
      'RequestAppointmentConfirmation/inFulfillmentOf/priorRequestedService/id/@extension',
    ],
  ])('names the missing element (%s)', (remove, path) => {
    const error = caught(() =>
      parseAppointmentRequest(buildAppointmentRequestPayload(APPOINTMENT_REQUEST).replace(remove, '')),
    );
    expect(error.element).toBe(path);
    expect(error.message).toBe(`${path} is missing`);
  });

  it('refuses an NHS number id with another root, and an unknown priority code', () => {
    const xml = buildAppointmentRequestPayload(APPOINTMENT_REQUEST);
    const wrongRoot = caught(() =>
      parseAppointmentRequest(xml.replace('root="2.16.840.1.113883.2.1.4.1"', 'root="1.2.3"')),
    );
    expect(wrongRoot.element).toBe('RequestAppointmentConfirmation/subject/patient/id/@root');
    expect(wrongRoot.message).toMatch(/is "1.2.3", not the NHS number OID 2.16.840.1.113883.2.1.4.1/);
    const badPriority = caught(() =>
      parseAppointmentRequest(xml.replace('<priorityCode code="2"', '<priorityCode code="7"')),
    );
    expect(badPriority.element).toBe(
      'RequestAppointmentConfirmation/pertinentInformation1/pertinentReferral/priorityCode/@code',
    );
  });
});

describe('RequestedAppointment (PRSC_IN050000UK06 / PRSC_IN060000UK06)', () => {
  it.each(['PRSC_IN050000UK06', 'PRSC_IN060000UK06'])('round-trips through %s', (interactionId) => {
    expect(parseRequestedAppointment(parseWrapper(hl7(interactionId)).payloadXml!)).toEqual({
      usrn: BOOKED_USRN,
      ubrn: UBRN,
    });
  });

  it('writes id = USRN and inFulfillmentOf/priorRequestedService/id = UBRN', () => {
    const xml = buildRequestedAppointmentPayload({ usrn: 'U', ubrn: 'B&1' });
    expect(xml).toMatch(
      /<RequestedAppointment xmlns="urn:hl7-org:v3" classCode="ENC" moodCode="PRMS">\s*<id root="U"\/>/,
    );
    expect(xml).toContain('<id root="2.16.840.1.113883.2.1.3.2.4.1" extension="B&amp;1"/>');
    expect(parseRequestedAppointment(xml)).toEqual({ usrn: 'U', ubrn: 'B&1' });
  });

  it('names a missing USRN and refuses another payload', () => {
    const xml = buildRequestedAppointmentPayload({ usrn: BOOKED_USRN, ubrn: UBRN }).replace(
      `<id root="${BOOKED_USRN}"/>`,
      '',
    );
    expect(caught(() => parseRequestedAppointment(xml)).element).toBe('RequestedAppointment/id/@root');
    expect(
      caught(() => parseRequestedAppointment(buildAppointmentRequestPayload(APPOINTMENT_REQUEST))).message,
    ).toMatch(/expected payload RequestedAppointment, got \{urn:hl7-org:v3\}RequestAppointmentConfirmation/);
  });
});
