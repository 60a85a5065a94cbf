import { describe, expect, it } from 'vitest';
import {
  buildSlotPollPayload,
  buildSlotResponsePayload,
  CabError,
  parseSlotPollPayload,
  parseSlotResponsePayload,
} from '../../../src/cab/index.js';
import { parseWrapper, wrapPayload } from '../../../src/hl7/index.js';
import { withXml } from '../../../src/xml/index.js';
import { expectGolden, readGolden, xmllintFolder } from '../hl7/golden.js';
import { POLL, POLL_FIELDS, RESPONSE, RESPONSE_FIELDS } from './fixtures.js';

function caught(fn: () => unknown): CabError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CabError) return error;
    throw error;
  }
  throw new Error('expected a CabError');
}

describe('slot polling golden files', () => {
  it('PRSC_IN080000UK07: wrapped RequestAvailableSlots', () => {
    expectGolden(
      'mim-samples/cab/PRSC_IN080000UK07.xml',
      wrapPayload(POLL_FIELDS, buildSlotPollPayload(POLL)),
    );
  });

  it('PRSC_IN090000UK09: wrapped AvailableSlots', () => {
    expectGolden(
      'mim-samples/cab/PRSC_IN090000UK09.xml',
      wrapPayload(RESPONSE_FIELDS, buildSlotResponsePayload(RESPONSE)),
    );
  });

  it('are well-formed according to xmllint', () => {
    expect(xmllintFolder('mim-samples/cab').length).toBeGreaterThanOrEqual(2);
  });
});

describe('RequestAvailableSlots', () => {
  it('round-trips through the wrapper', () => {
    const wrapper = parseWrapper(readGolden('mim-samples/cab/PRSC_IN080000UK07.xml'));
    expect(wrapper.interactionId).toBe('PRSC_IN080000UK07');
    expect(parseSlotPollPayload(wrapper.payloadXml!)).toEqual(POLL);
  });

  it('writes the period as low inclusive, high exclusive, in HL7 TS', () => {
    const xml = buildSlotPollPayload(POLL);
    expect(xml).toContain('<low value="202601050000" inclusive="true"/>');
    expect(xml).toContain('<high value="202601190000" inclusive="false"/>');
    expect(xml).toContain('<id root="2.16.840.1.113883.2.1.3.2.4.2" extension="RTX-CARDIO-01"/>');
  });

  it('keeps a clinic id with markup characters intact', () => {
    const poll = { ...POLL, clinicId: `A&B<C>"D'` };
    const xml = buildSlotPollPayload(poll);
    withXml(xml, () => undefined);
    expect(parseSlotPollPayload(xml)).toEqual(poll);
    const wrapped = wrapPayload(POLL_FIELDS, xml);
    expect(parseSlotPollPayload(parseWrapper(wrapped).payloadXml!)).toEqual(poll);
  });

  it('reads a poll as e-RS writes it: no namespace on the payload, seconds in TS', () => {
    const xml = `<PRSC_IN080000UK07 xmlns="urn:hl7-org:v3"><id root="M"/><ControlActEvent classCode="CACT" moodCode="EVN"><subject typeCode="SUBJ"><RequestAvailableSlots classCode="SPLY" moodCode="RQO"><id root="R"/><effectiveTime><low value="20130515000000" inclusive="true"/><high value="201305220000" inclusive="false"/></effectiveTime><location typeCode="LOC"><clinic classCode="SDLOC"><id root="2.16.840.113883.2.1.4.2" extension="CL1"/></clinic></location></RequestAvailableSlots></subject></ControlActEvent></PRSC_IN080000UK07>`;
    expect(parseSlotPollPayload(parseWrapper(xml).payloadXml!)).toEqual({
      requestId: 'R',
      clinicId: 'CL1',
      period: { start: '2013-05-15T00:00:00Z', end: '2013-05-22T00:00:00Z' },
    });
  });

  it.each([
    ['<id root="5D3E8A1C-2B4F-4C6D-8E0A-1B2C3D4E5F60"/>', 'RequestAvailableSlots/id/@root'],
    [/<high [^>]*>/, 'RequestAvailableSlots/effectiveTime/high/@value'],
    [/<location[\s\S]*<\/location>/, 'RequestAvailableSlots/location/clinic/id/@extension'],
  ])('names the missing element (%s)', (remove, path) => {
    const error = caught(() => parseSlotPollPayload(buildSlotPollPayload(POLL).replace(remove, '')));
    expect(error.element).toBe(path);
    expect(error.message).toBe(`${path} is missing`);
  });

  it('names an element holding a bad timestamp', () => {
    const error = caught(() =>
      parseSlotPollPayload(buildSlotPollPayload(POLL).replace('202601050000', '202602300000')),
    );
    expect(error.element).toBe('RequestAvailableSlots/effectiveTime/low/@value');
  });

  it('refuses another payload root and malformed XML', () => {
    expect(caught(() => parseSlotPollPayload(buildSlotResponsePayload(RESPONSE))).message).toMatch(
      /expected payload RequestAvailableSlots, got \{urn:hl7-org:v3\}AvailableSlots/,
    );
    expect(caught(() => parseSlotPollPayload('<RequestAvailableSlots/>')).element).toBe(
      'RequestAvailableSlots',
    );
    expect(() => parseSlotPollPayload('<x')).toThrow(CabError);
  });
});

describe('AvailableSlots', () => {
  it('round-trips through the wrapper', () => {
    const wrapper = parseWrapper(readGolden('mim-samples/cab/PRSC_IN090000UK09.xml'));
    expect(parseSlotResponsePayload(wrapper.payloadXml!)).toEqual(RESPONSE);
  });

  it('writes priority codes from PriorityType and answers the poll by its payload id', () => {
    const xml = buildSlotResponsePayload(RESPONSE);
    expect(xml.match(/<priorityCode /g)).toHaveLength(2);
    expect(xml).toContain('<priorityCode code="2" codeSystem="2.16.840.1.113883.2.1.3.2.4.17.95"/>');
    expect(xml).toContain('<priorityCode code="3" codeSystem="2.16.840.1.113883.2.1.3.2.4.17.95"/>');
    expect(xml).toContain(
      `<priorSlotRequest classCode="SPLY" moodCode="RQO">\n      <id root="${POLL.requestId}"/>`,
    );
  });

  it('round-trips an empty list', () => {
    const empty = { ...RESPONSE, slots: [] };
    expect(parseSlotResponsePayload(buildSlotResponsePayload(empty))).toEqual(empty);
  });

  it('names the slot with a missing USRN', () => {
    const xml = buildSlotResponsePayload(RESPONSE).replace(`<id root="${RESPONSE.slots[1]!.usrn}"/>`, '');
    expect(caught(() => parseSlotResponsePayload(xml)).element).toBe(
      'AvailableSlots/component/appointmentSlot[2]/id/@root',
    );
  });

  it('names a missing inFulfillmentOf and an unknown priority code', () => {
    const noFulfilment = buildSlotResponsePayload(RESPONSE).replace(
      /<inFulfillmentOf[\s\S]*<\/inFulfillmentOf>/,
      '',
    );
    expect(caught(() => parseSlotResponsePayload(noFulfilment)).element).toBe(
      'AvailableSlots/inFulfillmentOf/priorSlotRequest/id/@root',
    );
    const badPriority = buildSlotResponsePayload(RESPONSE).replace(
      '<priorityCode code="3"',
      '<priorityCode code="9"',
    );
    expect(caught(() => parseSlotResponsePayload(badPriority)).element).toBe(
      'AvailableSlots/component/appointmentSlot[3]/priorityCode/@code',
    );
  });
});
