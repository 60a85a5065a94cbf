// XSD validation of whole documents against our own schemas, with one readable line per error:
// namespace URIs are shown as the usual prefixes (eb:CPAId, soap:Body) and line numbers kept.
import type { ErrorDetail } from 'libxml2-wasm';
import { NS, parseXml, type XmlDocument, XmlInputError } from '../xml/index.js';
import { envelopeSchema, hl7Interactions, hl7Schema } from './compile.js';

export interface ValidationResult {
  valid: boolean;
  errors: { message: string; line?: number }[];
}

/** `envelope` (SOAP 1.1 + ebMS 2.0 + XMLDSig) or an HL7 interaction id with a schema in schemas/hl7/. */
export type SchemaName = 'envelope' | `hl7:${string}`;

const PREFIXES = new Map<string, string>(Object.entries(NS).map(([prefix, uri]) => [uri, prefix]));

/** Which of our schemas covers a root element, if any (HL7 schemas will join later). */
export function schemaFor(rootNamespace: string, rootName: string): SchemaName | undefined {
  if (rootNamespace === NS.soap && rootName === 'Envelope') return 'envelope';
  if (rootNamespace === NS.hl7 && hl7Interactions().has(rootName)) return `hl7:${rootName}`;
  return undefined;
}

/** An HL7 V3 message (transmission wrapper, control act and payload) against its interaction's schema. */
export function validateHl7(xml: string | Buffer): ValidationResult & { schema?: SchemaName } {
  return withParsed(xml, (doc) => {
    const schema = schemaFor(doc.root.namespaceUri, doc.root.name);
    if (!schema?.startsWith('hl7:'))
      return invalid(`no HL7 schema for ${qualified(doc.root.namespaceUri, doc.root.name)}`);
    return { ...check(doc, schema), schema };
  });
}

/** SOAP 1.1 + ebMS 2.0 + XMLDSig: an ebXML envelope, Acknowledgment, MessageError or SOAP fault. */
export function validateEnvelope(xml: string | Buffer): ValidationResult {
  return withParsed(xml, validateEnvelopeDocument);
}

/** The same for a document already parsed (the receive pipeline parses each envelope once). */
export function validateEnvelopeDocument(doc: XmlDocument): ValidationResult {
  if (schemaFor(doc.root.namespaceUri, doc.root.name) !== 'envelope') {
    return invalid(
      `root element ${qualified(doc.root.namespaceUri, doc.root.name)} is not a SOAP 1.1 Envelope`,
    );
  }
  return check(doc, 'envelope');
}

/** Validates against whichever schema the root element calls for; no schema is a failure. */
export function validateDocument(xml: string | Buffer): ValidationResult & { schema?: SchemaName } {
  return withParsed(xml, (doc) => {
    const { namespaceUri, name } = doc.root;
    const schema = schemaFor(namespaceUri, name);
    if (!schema) return invalid(`no schema for ${qualified(namespaceUri, name)}`);
    return { ...check(doc, schema), schema };
  });
}

type Outcome = ValidationResult & { schema?: SchemaName };

/** Parse failures (not well-formed, DTD, over the size limit) are validation failures too. */
function withParsed(xml: string | Buffer, use: (doc: XmlDocument) => Outcome): Outcome {
  let doc: XmlDocument;
  try {
    doc = parseXml(xml);
  } catch (error) {
    if (error instanceof XmlInputError) return invalid(error.message);
    throw error;
  }
  try {
    return use(doc);
  } finally {
    doc.dispose();
  }
}

function check(doc: XmlDocument, schema: SchemaName): ValidationResult {
  try {
    (schema === 'envelope' ? envelopeSchema() : hl7Schema(schema.slice('hl7:'.length))).validate(doc);
    return { valid: true, errors: [] };
  } catch (error) {
    const details = (error as { details?: ErrorDetail[] }).details;
    if (!details) throw error;
    const errors = details.map((detail) => {
      const entry: ValidationResult['errors'][number] = { message: readable(detail.message) };
      if (detail.line > 0) entry.line = detail.line;
      return entry;
    });
    return {
      valid: false,
      errors: errors.length > 0 ? errors : [{ message: readable((error as Error).message) }],
    };
  }
}

function invalid(message: string): ValidationResult {
  return { valid: false, errors: [{ message }] };
}

/** `{uri}local` → `prefix:local` for the namespaces we know; one line, trimmed. */
function readable(message: string): string {
  return message
    .replace(/\{([^}]*)\}([A-Za-z_][\w.-]*)/g, (_, uri: string, local: string) => qualified(uri, local))
    .replace(/\s+/g, ' ')
    .trim();
}

function qualified(uri: string, local: string): string {
  if (!uri) return local;
  const prefix = PREFIXES.get(uri);
  return prefix ? `${prefix}:${local}` : `{${uri}}${local}`;
}
