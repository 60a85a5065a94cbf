// Our own XSDs (schemas/) and the validator over them: SOAP 1.1, ebMS 2.0 header and XMLDSig now,
// and the HL7 / Choose and Book interactions in schemas/hl7/. Compiled once each, on first use.
export { SCHEMA_DIR, SchemaSetError } from './compile.js';
export {
  type SchemaName,
  schemaFor,
  type ValidationResult,
  validateDocument,
  validateEnvelope,
  validateEnvelopeDocument,
  validateHl7,
} from './validate.js';
