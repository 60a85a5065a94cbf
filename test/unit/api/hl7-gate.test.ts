import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hl7Problem } from '../../../src/api/cab.js';
import { packageRoot } from '../../../src/config/index.js';

const sample = (name: string) => readFileSync(join(packageRoot, 'mim-samples', 'cab', name), 'utf8');

describe('the HL7 gate before anything is sent to Spine', () => {
  it('lets a valid message through', () => {
    expect(hl7Problem(sample('PRSC_IN090000UK09.xml'))).toBeUndefined();
  });

  it('refuses an invalid message with 422 naming the element', () => {
    const broken = sample('PRSC_IN050000UK06.xml').replace(
      /<messageRef>\s*<id [^>]*\/>\s*<\/messageRef>/,
      '<messageRef/>',
    );
    expect(broken).not.toBe(sample('PRSC_IN050000UK06.xml'));
    const problem = hl7Problem(broken);
    expect(problem).toMatchObject({ status: 422, title: 'The HL7 message would not be valid' });
    expect(problem?.errors?.[0]).toMatchObject({ element: 'hl7:messageRef' });
  });

  it('refuses a message no schema covers', () => {
    expect(hl7Problem('<QUPA_IN040000UK32 xmlns="urn:hl7-org:v3"/>')).toMatchObject({
      status: 422,
      detail: 'no HL7 schema for hl7:QUPA_IN040000UK32',
    });
  });
});
