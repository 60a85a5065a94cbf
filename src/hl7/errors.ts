import { createError } from '../errors/index.js';
/** An HL7 V3 wrapper we cannot build or read; `message` names the element at fault. */
export class Hl7Error extends createError('HL7_INVALID', 400, 'Invalid request') {}
