/** An HL7 V3 wrapper we cannot build or read; `message` names the element at fault. */
export class Hl7Error extends Error {
  override readonly name = 'Hl7Error';
}
