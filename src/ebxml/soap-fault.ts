// SOAP 1.1 faults: reading Spine's (TMS) rejections with their nasp:errorList, deciding whether
// they are worth a retry, and writing our own for 400/500 answers on the inbound endpoint.
import { element, elements, NS, text, withXml, type XmlElement, XmlInputError } from '../xml/index.js';
import { XML_DECLARATION } from './header-xml.js';
import { xmlSafeText, xmlText } from './values.js';

export interface SoapFault {
  faultcode: string;
  faultstring: string;
  errors: {
    codeContext?: string;
    errorCode: string;
    severity?: string;
    location?: string;
    description?: string;
  }[];
}

/** Spine codes that mean "transient, send the same message again" (docs/conformance.md, "Spine's answers"). */
const RETRIABLE_CODES = new Set(['200', '206', '208']);
const ERROR_FIELDS = ['codeContext', 'severity', 'location', 'description'] as const;

/** The fault in a SOAP envelope, or undefined when the input is not a SOAP fault (or not XML). */
export function parseSoapFault(xml: string | Buffer): SoapFault | undefined {
  try {
    return withXml(xml, (doc) => {
      const fault = element(doc.root, '/soap:Envelope/soap:Body/soap:Fault');
      return fault ? readFault(fault) : undefined;
    });
  } catch (error) {
    if (error instanceof XmlInputError) return undefined;
    throw error;
  }
}

function readFault(fault: XmlElement): SoapFault {
  // faultcode/faultstring are unqualified in SOAP 1.1; some senders qualify them, so match by local name.
  const errors = elements(fault, "*[local-name()='detail']//nasp:errorList/nasp:error").map((error) => {
    const entry: SoapFault['errors'][number] = { errorCode: text(error, 'nasp:errorCode') ?? '' };
    for (const field of ERROR_FIELDS) {
      const value = text(error, `nasp:${field}`);
      if (value !== undefined) entry[field] = value;
    }
    return entry;
  });
  return {
    faultcode: text(fault, "*[local-name()='faultcode']") ?? '',
    faultstring: text(fault, "*[local-name()='faultstring']") ?? '',
    errors,
  };
}

/** Retry only when every error is a transient Spine code; an empty list is not retriable. */
export function isRetriableSoapFault(fault: SoapFault): boolean {
  return (
    fault.errors.length > 0 && fault.errors.every((error) => RETRIABLE_CODES.has(error.errorCode.trim()))
  );
}

export function buildSoapFault(
  faultcode: 'SOAP:Client' | 'SOAP:Server',
  faultstring: string,
  detail?: string,
): string {
  const lines = [
    XML_DECLARATION,
    `<SOAP:Envelope xmlns:SOAP="${NS.soap}">`,
    '  <SOAP:Body>',
    '    <SOAP:Fault>',
    `      <faultcode>${faultcode}</faultcode>`,
    `      <faultstring>${xmlText(xmlSafeText(faultstring))}</faultstring>`,
  ];
  if (detail !== undefined) lines.push(`      <detail>${xmlText(xmlSafeText(detail))}</detail>`);
  lines.push('    </SOAP:Fault>', '  </SOAP:Body>', '</SOAP:Envelope>');
  return lines.join('\n');
}
