import { describe, expect, it } from 'vitest';
import { type MhsRequestHeaders, readBody, readHeaders } from '../../../src/api/mhs-request.js';

const HL7 = 'PRSC_IN100000UK06';
const routes = { has: (id: string) => id === HL7 };

/** Just what readHeaders asks of a request: its headers, and whether it is JSON. */
function request(headers: Record<string, string>, json = true): MhsRequestHeaders {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name) => lower[name.toLowerCase()], is: (type) => (json ? type : false) };
}

describe('POST / headers, checked in the MHS adaptor order', () => {
  it('reads the interaction and wait-for-response (any case)', () => {
    expect(readHeaders(request({ 'Interaction-Id': HL7, 'wait-for-response': 'FALSE' }), routes)).toEqual({
      interactionId: HL7,
      wait: 'false',
    });
  });

  it('answers with the status of the first wrong header', () => {
    const status = (headers: Record<string, string>, json = true) => {
      const read = readHeaders(request(headers, json), routes);
      return 'problem' in read ? read.problem.status : 200;
    };
    expect(status({})).toBe(404);
    expect(status({ 'Interaction-Id': 'PRSC_IN999999UK01', 'wait-for-response': 'maybe' })).toBe(404);
    expect(status({ 'Interaction-Id': HL7, 'wait-for-response': 'maybe' }, false)).toBe(400);
    expect(status({ 'Interaction-Id': HL7, 'wait-for-response': 'true' }, false)).toBe(415);
    expect(status({ 'Interaction-Id': HL7, 'wait-for-response': 'true', 'Message-Id': 'a b' })).toBe(400);
  });
});

describe('POST / body', () => {
  it('refuses a body over the size limit, naming both sizes', () => {
    const read = readBody({ payload: '<x/>'.repeat(10) }, HL7, 20);
    expect('problem' in read && read.problem.detail).toBe('MaxRequestSize=20 RequestSize=40 (bytes)');
  });

  it('refuses a payload that is not the interaction the header names', () => {
    const read = readBody({ payload: '<PRSC_IN090000UK09 xmlns="urn:hl7-org:v3"/>' }, HL7, 1000);
    expect('problem' in read && read.problem.errors).toEqual([
      { field: 'payload', message: expect.stringContaining(`expected ${HL7}`) },
    ]);
  });
});
