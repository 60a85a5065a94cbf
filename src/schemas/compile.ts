// Compiles our own XSDs (schemas/ at the package root) once, on first use. libxml2-wasm cannot
// read the file system, so the imported schemas are served from memory under their real paths,
// which also keeps file names in schema errors meaningful. The validator lives as long as the
// process: it is compiled once and never disposed.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XmlBufferInputProvider, XmlDocument, XsdValidator, xmlRegisterInputProvider } from 'libxml2-wasm';
import { packageRoot } from '../config/index.js';
import { createError } from '../errors/index.js';

export const SCHEMA_DIR = join(packageRoot, 'schemas');

/** The schema whose imports pull in SOAP 1.1, XMLDSig, XLink and xml:lang. */
const ENVELOPE_ENTRY = 'ebms-msg-header-2.0.xsd';

/** Thrown when our own schemas cannot be read or compiled: a packaging bug, not bad input. */
export class SchemaSetError extends createError('SCHEMA_SET_BROKEN', 500, 'Internal error') {}

let provided = false;
let envelopeValidator: XsdValidator | undefined;

export function envelopeSchema(): XsdValidator {
  envelopeValidator ??= compile(ENVELOPE_ENTRY);
  return envelopeValidator;
}

const hl7Validators = new Map<string, XsdValidator>();

/** The HL7 interactions we have a schema for: one file each in schemas/hl7/, named after the root element. */
export function hl7Interactions(): Set<string> {
  hl7Names ??= new Set(
    readdirSync(join(SCHEMA_DIR, 'hl7'))
      .filter((name) => /^[A-Z]{4}_IN\d{6}UK\d{2}\.xsd$/.test(name))
      .map((name) => name.slice(0, -'.xsd'.length)),
  );
  return hl7Names;
}
let hl7Names: Set<string> | undefined;

/**
 * One validator per interaction, compiled on first use: the interaction schemas cannot share one
 * compilation (PRSC_IN130000UK07 and PRSC_IN140000UK06 define AppointmentCancellation differently).
 */
export function hl7Schema(interactionId: string): XsdValidator {
  let validator = hl7Validators.get(interactionId);
  if (!validator) {
    validator = compile(join('hl7', `${interactionId}.xsd`));
    hl7Validators.set(interactionId, validator);
  }
  return validator;
}

function compile(entry: string): XsdValidator {
  provideSchemaFiles();
  const path = join(SCHEMA_DIR, entry);
  const doc = XmlDocument.fromBuffer(readFileSync(path), { url: path });
  try {
    return XsdValidator.fromDoc(doc);
  } catch (error) {
    const details = (error as { details?: { message: string }[] }).details ?? [];
    const first = details[0]?.message.trim() ?? (error as Error).message;
    throw new SchemaSetError(`cannot compile ${path}: ${first}`);
  } finally {
    doc.dispose();
  }
}

/** Registers every .xsd under schemas/ (subfolders too) once, keyed by absolute path and file: URL. */
function provideSchemaFiles(): void {
  if (provided) return;
  let names: string[];
  try {
    names = readdirSync(SCHEMA_DIR, { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.xsd'),
    );
  } catch (error) {
    throw new SchemaSetError(`cannot read ${SCHEMA_DIR}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const buffers: Record<string, Uint8Array> = {};
  for (const name of names) {
    const path = join(SCHEMA_DIR, name);
    const bytes = readFileSync(path);
    buffers[path] = bytes;
    buffers[`file://${path}`] = bytes;
  }
  if (!xmlRegisterInputProvider(new XmlBufferInputProvider(buffers))) {
    throw new SchemaSetError('cannot register the schema input provider with libxml2');
  }
  provided = true;
}
