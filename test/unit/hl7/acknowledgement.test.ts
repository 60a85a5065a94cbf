import { describe, expect, it } from 'vitest';
import {
  buildApplicationAcknowledgement,
  Hl7Error,
  OID,
  parseApplicationAcknowledgement,
  parseWrapper,
} from '../../../src/hl7/index.js';
import { ACKNOWLEDGED_ID, ackFields, ERS_ASID, PAS_ASID } from './fixtures.js';
import { expectGolden, readGolden, xmllintFolder } from './golden.js';

const AA = { typeCode: 'AA' as const, messageRef: ACKNOWLEDGED_ID, details: [] };
const AE = { typeCode: 'AE' as const, messageRef: ACKNOWLEDGED_ID, details: [] };
const AE_REASONS = [
  { code: '0001', displayName: 'Unknown clinic', qualifier: 'ER' as const, codeSystem: OID.ebsResponse },
];
const AR = {
  typeCode: 'AR' as const,
  messageRef: ACKNOWLEDGED_ID,
  details: [
    {
      typeCode: 'ER' as const,
      code: '519',
      displayName: 'Receiver ASID inconsistent with the SOAP header',
      codeSystem: OID.ackDetail,
    },
  ],
};

describe('MCCI_IN010000UK13 golden files', () => {
  it('AA', () => {
    const xml = buildApplicationAcknowledgement(ackFields('A1B2C3D4-0000-4000-8000-00000000000A'), AA);
    expectGolden('mim-samples/hl7/MCCI_IN010000UK13-AA.xml', xml);
  });

  it('AE with a business reason', () => {
    const xml = buildApplicationAcknowledgement(
      ackFields('A1B2C3D4-0000-4000-8000-00000000000E'),
      AE,
      AE_REASONS,
    );
    expectGolden('mim-samples/hl7/MCCI_IN010000UK13-AE.xml', xml);
  });

  it('AR with an acknowledgementDetail', () => {
    const xml = buildApplicationAcknowledgement(ackFields('A1B2C3D4-0000-4000-8000-00000000000F'), AR);
    expectGolden('mim-samples/hl7/MCCI_IN010000UK13-AR.xml', xml);
  });

  it('are well-formed according to xmllint', () => {
    const files = xmllintFolder('mim-samples/hl7');
    expect(files.length).toBeGreaterThanOrEqual(3);
  });
});

describe('parseApplicationAcknowledgement', () => {
  it('reads back the AA golden file', () => {
    const ack = parseApplicationAcknowledgement(readGolden('mim-samples/hl7/MCCI_IN010000UK13-AA.xml'));
    expect(ack).toEqual({
      messageId: 'A1B2C3D4-0000-4000-8000-00000000000A',
      ...AA,
      reasons: [],
    });
  });

  it.each([
    ['AE', AE, AE_REASONS],
    ['AR', AR, []],
  ] as const)('round-trips %s', (_name, ack, reasons) => {
    const xml = buildApplicationAcknowledgement(ackFields('11111111-2222-4333-8444-555555555555'), ack, [
      ...reasons,
    ]);
    expect(parseApplicationAcknowledgement(xml)).toEqual({
      messageId: '11111111-2222-4333-8444-555555555555',
      ...ack,
      reasons,
    });
  });

  it('fills in the default code systems', () => {
    const xml = buildApplicationAcknowledgement(
      ackFields('ID-1'),
      { typeCode: 'AR', messageRef: 'X', details: [{ typeCode: 'WG', code: '1' }] },
      [{ code: 'R1', qualifier: 'IF' }],
    );
    const ack = parseApplicationAcknowledgement(Buffer.from(xml));
    expect(ack.details).toEqual([{ typeCode: 'WG', code: '1', codeSystem: OID.ackDetail }]);
    expect(ack.reasons).toEqual([{ code: 'R1', qualifier: 'IF', codeSystem: OID.ebsResponse }]);
  });

  it('carries the wrapper header: ASIDs both ways and the author', () => {
    const xml = buildApplicationAcknowledgement({ ...ackFields('ID-2'), authorAsid: '999' }, AA);
    const wrapper = parseWrapper(xml);
    expect(wrapper).toMatchObject({
      interactionId: 'MCCI_IN010000UK13',
      creationTime: '20260105100000',
      versionCode: 'V3NPfIT3.1.09',
      processingCode: 'P',
      toAsid: ERS_ASID,
      fromAsid: PAS_ASID,
    });
    expect(wrapper.payloadXml).toBeUndefined();
    expect(xml).toContain(
      '<agentSystemSDS classCode="DEV" determinerCode="INSTANCE">\n          <id root="1.2.826.0.1285.0.2.0.107" extension="999"/>',
    );
  });

  it('keeps values with markup characters intact', () => {
    const nasty = `A&B<C>"D'`;
    const xml = buildApplicationAcknowledgement(ackFields(nasty), {
      typeCode: 'AR',
      messageRef: nasty,
      details: [{ typeCode: 'ER', code: nasty, displayName: nasty, codeSystem: nasty }],
    });
    const ack = parseApplicationAcknowledgement(xml);
    expect(ack.messageId).toBe(nasty);
    expect(ack.messageRef).toBe(nasty);
    expect(ack.details).toEqual([{ typeCode: 'ER', code: nasty, displayName: nasty, codeSystem: nasty }]);
  });

  it('reads a reason qualifier written as qualifier/@code', () => {
    const xml = readGolden('mim-samples/hl7/MCCI_IN010000UK13-AE.xml').replace(
      /<qualifier>\s*<value code="ER"[^>]*\/>\s*<\/qualifier>/,
      '<qualifier code="WG"/>',
    );
    expect(parseApplicationAcknowledgement(xml).reasons[0]?.qualifier).toBe('WG');
  });

  it('refuses another interaction', () => {
    const xml = readGolden('mim-samples/hl7/MCCI_IN010000UK13-AA.xml').replaceAll(
      'MCCI_IN010000UK13',
      'PRSC_IN050000UK06',
    );
    expect(() => parseApplicationAcknowledgement(xml)).toThrow(
      /expected MCCI_IN010000UK13, got PRSC_IN050000UK06/,
    );
  });

  it('names a missing messageRef', () => {
    const xml = readGolden('mim-samples/hl7/MCCI_IN010000UK13-AA.xml').replace(
      /<messageRef>[\s\S]*<\/messageRef>/,
      '',
    );
    expect(() => parseApplicationAcknowledgement(xml)).toThrow(
      new Hl7Error('MCCI_IN010000UK13/acknowledgement/messageRef/id/@root is missing'),
    );
  });

  it('refuses an unknown acknowledgement type', () => {
    const xml = readGolden('mim-samples/hl7/MCCI_IN010000UK13-AA.xml').replace(
      'typeCode="AA"',
      'typeCode="CA"',
    );
    expect(() => parseApplicationAcknowledgement(xml)).toThrow(/acknowledgement\/@typeCode is "CA"/);
  });
});
