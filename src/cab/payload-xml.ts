// Shared reading and writing helpers for C&B payload elements, so each message family stays
// one small module. Payload roots declare the HL7 namespace so they also stand alone.
import { el, OID, type XmlElementSpec } from '../hl7/index.js';
import { elements, NS, text, withXml, type XmlElement } from '../xml/index.js';
import { CabError } from './errors.js';
import { nhsNumberId } from './identifiers.js';
import { hl7Timestamp, isoFromHl7Timestamp } from './timestamp.js';
import { type CodedValue, isCode, type Vocabulary, wordFor } from './vocabulary.js';

/** Attributes for a payload root element: the HL7 namespace, then class and mood codes. */
export function payloadRootAttrs(classCode: string, moodCode: string): Record<string, string> {
  return { xmlns: NS.hl7, classCode, moodCode };
}

/** `id @root="{UUID}"`: USRNs and other act ids. */
export function actId(uuid: string): XmlElementSpec {
  return el('id', { root: uuid });
}

/** `location/clinic/id` with the eBS clinic OID. */
export function clinicLocation(clinicId: string): XmlElementSpec {
  return el(
    'location',
    { typeCode: 'LOC' },
    el('clinic', { classCode: 'SDLOC' }, el('id', { root: OID.clinic, extension: clinicId })),
  );
}

/** `subject/patient/id`: the patient by NHS number. */
export function patientSubject(nhsNumber: string): XmlElementSpec {
  return el('subject', { typeCode: 'SBJ' }, el('patient', { classCode: 'PAT' }, nhsNumberId(nhsNumber)));
}

/** `pertinentInformation/pertinentAppointmentSlot/id`: the booked slot by USRN. */
export function pertinentSlot(usrn: string): XmlElementSpec {
  return el(
    'pertinentInformation',
    { typeCode: 'PERT' },
    el('pertinentAppointmentSlot', { classCode: 'SPLY', moodCode: 'SLOT' }, actId(usrn)),
  );
}

/** `reasonCode` with the vocabulary's code system; our words stay out of the message. */
export function reasonCode(vocabulary: Vocabulary, reason: CodedValue): XmlElementSpec {
  return el('reasonCode', { code: reason.code, codeSystem: vocabulary.oid });
}

/** IVL<TS> from ISO date-times; `inclusive` flags only when the interval states them. */
export function interval(
  start: string,
  end: string,
  inclusive?: { low: boolean; high: boolean },
): XmlElementSpec {
  return el(
    'effectiveTime',
    {},
    el('low', { value: hl7Timestamp(start), inclusive: inclusive && String(inclusive.low) }),
    el('high', { value: hl7Timestamp(end), inclusive: inclusive && String(inclusive.high) }),
  );
}

/** Reads a payload whose root must be `{urn:hl7-org:v3}rootName`. */
export function readPayload<T>(payloadXml: string, rootName: string, read: (root: PayloadNode) => T): T {
  try {
    return withXml(payloadXml, (doc) => {
      const root = doc.root;
      if (root.namespaceUri !== NS.hl7 || root.name !== rootName) {
        throw new CabError(`expected payload ${rootName}, got {${root.namespaceUri}}${root.name}`, rootName);
      }
      return read(new PayloadNode(root, rootName));
    });
  } catch (error) {
    if (error instanceof CabError) throw error;
    throw new CabError(`${rootName} payload cannot be read: ${(error as Error).message}`);
  }
}

/** An element plus its path for error messages; XPaths use the `hl7:` prefix. */
export class PayloadNode {
  constructor(
    readonly element: XmlElement,
    readonly path: string,
  ) {}

  /** Child elements matching `xpath`, each labelled `path/step[n]`. */
  all(xpath: string): PayloadNode[] {
    const label = plain(xpath);
    return elements(this.element, xpath).map(
      (found, i) => new PayloadNode(found, `${this.path}/${label}[${i + 1}]`),
    );
  }

  /** The first element matching `xpath` (which may be a union), labelled `path/label`. */
  first(xpath: string, label = plain(xpath)): PayloadNode | undefined {
    const found = elements(this.element, xpath)[0];
    return found && new PayloadNode(found, `${this.path}/${label}`);
  }

  optional(xpath: string): string | undefined {
    const value = text(this.element, xpath);
    return value === '' ? undefined : value;
  }

  /** A required attribute or text; CabError naming its path when missing or empty. */
  required(xpath: string): string {
    const value = this.optional(xpath);
    if (value === undefined) {
      const where = `${this.path}/${plain(xpath)}`;
      throw new CabError(`${where} is missing`, where);
    }
    return value;
  }

  /**
   * The extension of an identifier whose root must be `oid` (UBRN, NHS number), so an id of
   * another kind is never read as one of these.
   */
  identifier(xpath: string, oid: string, what: string): string {
    const root = this.required(`${xpath}/@root`);
    if (root !== oid) {
      const where = `${this.path}/${plain(xpath)}/@root`;
      throw new CabError(`${where} is "${root}", not the ${what} OID ${oid}`, where);
    }
    return this.required(`${xpath}/@extension`);
  }

  /** A required `@code` checked against its vocabulary, with our word when there is one. */
  coded(xpath: string, vocabulary: Vocabulary): CodedValue {
    const code = this.required(`${xpath}/@code`);
    if (!isCode(vocabulary, code)) {
      const where = `${this.path}/${plain(xpath)}/@code`;
      throw new CabError(
        `${where} is "${code}", not a ${vocabulary.name} code (${vocabulary.codeDescription})`,
        where,
      );
    }
    const word = wordFor(vocabulary, code);
    return word === undefined ? { code } : { code, word };
  }

  /** An optional HL7 TS as an ISO date-time in UTC. */
  optionalTimestamp(xpath: string): string | undefined {
    return this.optional(xpath) === undefined ? undefined : this.timestamp(xpath);
  }

  /** A required HL7 TS as an ISO date-time in UTC. */
  timestamp(xpath: string): string {
    const value = this.required(xpath);
    try {
      return isoFromHl7Timestamp(value);
    } catch (error) {
      const where = `${this.path}/${plain(xpath)}`;
      throw new CabError(`${where}: ${(error as Error).message}`, where);
    }
  }
}

function plain(xpath: string): string {
  return xpath.replace(/hl7:/g, '');
}
