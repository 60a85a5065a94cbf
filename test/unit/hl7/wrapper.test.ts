import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hl7Error, parseWrapper, type WrapperFields, wrapPayload } from '../../../src/hl7/index.js';
import { withXml } from '../../../src/xml/index.js';
import { ERS_ASID, PAS_ASID } from './fixtures.js';

const FIELDS: WrapperFields = {
  interactionId: 'PRSC_IN050000UK06',
  messageId: 'F0E1D2C3-B4A5-4697-8877-665544332211',
  creationTime: new Date(Date.UTC(2026, 0, 5, 9, 8, 7, 600)),
  toAsid: ERS_ASID,
  fromAsid: PAS_ASID,
};
const PAYLOAD =
  '<RequestedAppointment xmlns="urn:hl7-org:v3" classCode="ENC" moodCode="PRMS">\n  <id root="U"/>\n</RequestedAppointment>';

describe('wrapPayload', () => {
  it('writes wrapper S with the header in model order and the payload under subject', () => {
    const xml = wrapPayload(FIELDS, PAYLOAD);
    expect(
      xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<PRSC_IN050000UK06 xmlns="urn:hl7-org:v3">\n'),
    ).toBe(true);
    expect(xml.endsWith('</PRSC_IN050000UK06>\n')).toBe(true);
    const order = [
      '<id ',
      '<creationTime value="20260105090807"/>',
      '<versionCode code="V3NPfIT3.1.09"/>',
      '<interactionId ',
      '<processingCode code="P"/>',
      '<processingModeCode code="T"/>',
      '<acceptAckCode code="NE"/>',
      '<communicationFunctionRcv',
      '<communicationFunctionSnd',
      '<ControlActEvent',
      '<author1',
      '<subject typeCode="SUBJ" contextConductionInd="false">',
    ];
    const positions = order.map((s) => xml.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(xml).not.toContain('<acknowledgement');
    // The payload's own default-namespace declaration is dropped inside the wrapper.
    expect(xml).toContain(
      '      <RequestedAppointment classCode="ENC" moodCode="PRMS">\n        <id root="U"/>\n      </RequestedAppointment>',
    );
  });

  it('uses wrapper A when given an acknowledgement, placed before communicationFunctionRcv', () => {
    const xml = wrapPayload(FIELDS, PAYLOAD, { acknowledgement: { typeCode: 'AA', messageRef: 'REF' } });
    expect(xml.indexOf('<acknowledgement typeCode="AA">')).toBeGreaterThan(xml.indexOf('<acceptAckCode'));
    expect(xml.indexOf('<acknowledgement typeCode="AA">')).toBeLessThan(
      xml.indexOf('<communicationFunctionRcv'),
    );
    const parsed = parseWrapper(xml);
    expect(parsed.acknowledgement).toEqual({ typeCode: 'AA', messageRef: 'REF', details: [] });
    expect(parsed.payloadXml).toContain('<RequestedAppointment xmlns="urn:hl7-org:v3" classCode="ENC"');
  });

  it('honours processingCode and authorAsid', () => {
    const xml = wrapPayload({ ...FIELDS, processingCode: 'T', authorAsid: '777' }, undefined);
    expect(xml).toContain('<processingCode code="T"/>');
    expect(xml).toContain('extension="777"');
    expect(xml).not.toContain('<subject');
  });

  it('drops an XML declaration in front of the payload', () => {
    const xml = wrapPayload(FIELDS, `<?xml version="1.0" encoding="UTF-8"?>\n${PAYLOAD}\n`);
    expect(xml.match(/<\?xml/g)).toHaveLength(1);
    withXml(xml, () => undefined);
  });

  it('refuses a payload that is not well-formed, and a bad interaction id', () => {
    expect(() => wrapPayload(FIELDS, '<a><b></a>')).toThrow(Hl7Error);
    expect(() => wrapPayload({ ...FIELDS, interactionId: 'x y' }, undefined)).toThrow(
      /not an interaction id/,
    );
    expect(() => wrapPayload({ ...FIELDS, creationTime: new Date(Number.NaN) }, undefined)).toThrow(Hl7Error);
  });

  it('round-trips any header values', () => {
    const value = fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((s) => s.trim() === s && !/[\t\n\r]/.test(s) && s.length > 0);
    fc.assert(
      fc.property(value, value, value, value, (messageId, toAsid, fromAsid, messageRef) => {
        const xml = wrapPayload({ ...FIELDS, messageId, toAsid, fromAsid }, undefined, {
          acknowledgement: { typeCode: 'AE', messageRef },
        });
        const parsed = parseWrapper(xml);
        expect(parsed).toMatchObject({ messageId, toAsid, fromAsid, acknowledgement: { messageRef } });
      }),
    );
  });
});

describe('parseWrapper', () => {
  it('returns the payload as received, with inherited namespaces declared', () => {
    const xml = `<h:PRSC_IN040000UK08 xmlns:h="urn:hl7-org:v3" xmlns:q="urn:q"><h:id root="Z"/><h:ControlActEvent classCode="CACT" moodCode="EVN"><!-- <h:decoy/> --><h:subject><h:P a=">" q:b='1'><![CDATA[</h:P>]]><h:c>x &amp; y</h:c></h:P></h:subject></h:ControlActEvent></h:PRSC_IN040000UK08>`;
    const parsed = parseWrapper(Buffer.from(xml));
    expect(parsed.messageId).toBe('Z');
    expect(parsed.payloadXml).toBe(
      `<h:P xmlns:h="urn:hl7-org:v3" xmlns:q="urn:q" a=">" q:b='1'><![CDATA[</h:P>]]><h:c>x &amp; y</h:c></h:P>`,
    );
  });

  it('returns a self-closing payload and keeps declarations the payload makes itself', () => {
    const xml = `<PRSC_IN100000UK06 xmlns="urn:hl7-org:v3"><id root="Z"/><ControlActEvent><reason/><subject><x:P xmlns:x="urn:x"/></subject></ControlActEvent></PRSC_IN100000UK06>`;
    expect(parseWrapper(xml).payloadXml).toBe('<x:P xmlns="urn:hl7-org:v3" xmlns:x="urn:x"/>');
  });

  it('refuses a root outside the HL7 namespace or not named after an interaction', () => {
    expect(() => parseWrapper('<PRSC_IN080000UK07><id root="1"/></PRSC_IN080000UK07>')).toThrow(
      /not an HL7 V3 interaction/,
    );
    expect(() => parseWrapper('<Envelope xmlns="urn:hl7-org:v3"/>')).toThrow(/not an HL7 V3 interaction/);
  });

  it('refuses a root that disagrees with interactionId', () => {
    const xml = wrapPayload(FIELDS, undefined).replace(
      'extension="PRSC_IN050000UK06"',
      'extension="PRSC_IN060000UK06"',
    );
    expect(() => parseWrapper(xml)).toThrow(/does not match interactionId PRSC_IN060000UK06/);
  });

  it('names a missing id and wraps XML errors', () => {
    const xml = wrapPayload(FIELDS, undefined).replace(/<id root="F0E1[^>]*>/, '');
    expect(() => parseWrapper(xml)).toThrow(new Hl7Error('PRSC_IN050000UK06/id/@root is missing'));
    expect(() => parseWrapper('<a>')).toThrow(Hl7Error);
    expect(() => parseWrapper('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')).toThrow(/DTD/);
  });
});
