// XSD validation with xmllint (libxml2, the library our runtime validator uses) against our own
// schemas/hl7: one schema per interaction, picked by file name.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './golden.js';

export const HL7_SCHEMA_DIR = join(REPO_ROOT, 'schemas/hl7');

let checked = false;

function requireXmllint(): void {
  if (checked) return;
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'xmllint is not installed (Debian: apt-get install libxml2-utils); the C&B tests need it to validate samples against schemas/hl7',
    );
  }
  checked = true;
}

export interface XsdResult {
  valid: boolean;
  /** xmllint's messages, one per line, without the "- validates" / "fails to validate" summary. */
  errors: string[];
}

/** Validates a document (text on stdin) against a schema file, relative to the repository root. */
export function xmllintValidate(schemaPath: string, xml: string | Buffer): XsdResult {
  requireXmllint();
  const args = ['--noout', '--nonet', '--schema', join(REPO_ROOT, schemaPath), '-'];
  try {
    execFileSync('xmllint', args, { input: xml, stdio: ['pipe', 'ignore', 'pipe'] });
    return { valid: true, errors: [] };
  } catch (error) {
    const { status, stderr } = error as { status?: number; stderr?: Buffer };
    const lines = (stderr?.toString() ?? String(error)).split('\n').filter((line) => line.trim() !== '');
    // 3 = invalid document; anything else (schema not compilable, file missing) is our bug.
    if (status !== 3)
      throw new Error(`xmllint could not validate against ${schemaPath}:\n${lines.join('\n')}`);
    return { valid: false, errors: lines.filter((line) => !line.endsWith('fails to validate')) };
  }
}

export function interactionSchema(interactionId: string): string {
  return `schemas/hl7/${interactionId}.xsd`;
}

export function expectValid(schemaPath: string, xml: string | Buffer, label = schemaPath): void {
  expect(xmllintValidate(schemaPath, xml).errors, `${label} against ${schemaPath}`).toEqual([]);
}

/** Expects xmllint to reject the document with a message matching `message`. */
export function expectInvalid(schemaPath: string, xml: string | Buffer, message: RegExp): void {
  const result = xmllintValidate(schemaPath, xml);
  expect(result.valid).toBe(false);
  expect(result.errors.join('\n')).toMatch(message);
}
