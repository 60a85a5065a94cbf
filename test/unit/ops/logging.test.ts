import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, PATIENT_DATA_PATHS } from '../../../src/ops/index.js';

/** A logger writing JSON lines into an array, as the gateway writes them to stdout. */
function capture(redactPatientData: boolean) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', redactPatientData }, destination), lines };
}

const ids = {
  messageId: 'C7E2A9F1-3B5D-4E8C-A6F0-9D1B4E7A2C3F',
  conversationId: 'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D',
  interactionId: 'PRSC_IN080000UK07',
};
const patientData = {
  hl7: '<PRSC_IN080000UK07 xmlns="urn:hl7-org:v3"><id root="2.16.840.1.113883.2.1.4.1" extension="9434765919"/></PRSC_IN080000UK07>',
  data: { nhsNumber: '9434765919', clinicId: 'CLINIC-1' },
  payload: '<x>patient</x>',
  nhsNumber: '9434765919',
  attachments: [{ contentId: 'a@b', base64: 'cGF0aWVudA==' }],
};

describe('log redaction of patient data', () => {
  it('redacts payload fields at the top level and one level down, and keeps the ids', () => {
    const { logger, lines } = capture(true);
    logger.child(ids).info({ ...patientData, nested: { ...patientData } }, 'inbound message');
    const [line] = lines;
    expect(line).toMatchObject({ ...ids, msg: 'inbound message' });
    for (const field of ['hl7', 'data', 'payload', 'nhsNumber', 'attachments']) {
      expect(line![field], field).toBe('[redacted]');
      expect((line!.nested as Record<string, unknown>)[field], `nested.${field}`).toBe('[redacted]');
    }
    expect(JSON.stringify(line)).not.toContain('9434765919');
  });

  it('redacts patient data bound to a child logger too', () => {
    const { logger, lines } = capture(true);
    logger.child({ ...ids, hl7: patientData.hl7 }).warn({ nested: { nhsNumber: '9434765919' } }, 'refused');
    expect(lines[0]).toMatchObject({ ...ids, hl7: '[redacted]', nested: { nhsNumber: '[redacted]' } });
  });

  it('shows everything when redaction is explicitly turned off', () => {
    const { logger, lines } = capture(false);
    logger.child(ids).info({ ...patientData, nested: { ...patientData } }, 'inbound message');
    expect(lines[0]).toMatchObject({ ...ids, ...patientData, nested: patientData });
  });

  it('covers every field the patient-data list names, top level and one deep', () => {
    for (const field of ['hl7', 'payload', 'data', 'body', 'nhsNumber', 'attachments']) {
      expect(PATIENT_DATA_PATHS).toContain(field);
      expect(PATIENT_DATA_PATHS).toContain(`*.${field}`);
    }
  });
});
