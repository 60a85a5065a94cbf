import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isNhsNumber,
  maskNhsNumbers,
  redactHl7,
  redactHttpBody,
  redactJson,
} from '../../../src/dashboard/index.js';
import { escapeXml } from '../../../src/xml/index.js';

const hl7 = `<?xml version="1.0" encoding="UTF-8"?>
<REPC_IN150016UK05 xmlns="urn:hl7-org:v3" ITSVersion="XML_1.0">
  <id root="8D5A2B6C-1F3E-4A7B-9C0D-2E4F6A8B0C1D"/>
  <creationTime value="20261122100000"/>
  <interactionId root="2.16.840.1.113883.2.1.3.2.4.12" extension="REPC_IN150016UK05"/>
  <patient classCode="PAT">
    <id root="2.16.840.1.113883.2.1.4.1" extension="9434765919"/>
    <name><given>Jane</given><family>Smith-Jones</family></name>
    <birthTime value="19800417"/>
    <telecom use="H" value="tel:+441234567890"/>
    <addr><streetAddressLine>1 High Street</streetAddressLine><postalCode>LS1 4AP</postalCode></addr>
    <!-- copied from PDS: Jane Smith-Jones -->
    <text><![CDATA[Referred for knee pain]]></text>
  </patient>
</REPC_IN150016UK05>`;

describe('redactHl7', () => {
  const out = redactHl7(hl7);

  it('hides names, addresses, free text, date of birth and telecom values', () => {
    for (const secret of [
      'Jane',
      'Smith-Jones',
      'High Street',
      'LS1 4AP',
      'knee pain',
      '19800417',
      '441234567890',
    ])
      expect(out, secret).not.toContain(secret);
    expect(out).toContain('<given>[redacted]</given>');
    expect(out).toContain('<birthTime value="[redacted]"/>');
    expect(out).toContain('<telecom use="H" value="[redacted]"/>');
    expect(out).toContain('<![CDATA[[redacted]]]>');
    expect(out).toContain('<!--[redacted]-->');
  });

  it('masks the NHS number but keeps its last three digits', () => {
    expect(out).not.toContain('9434765919');
    expect(out).toContain('<id root="2.16.840.1.113883.2.1.4.1" extension="*******919"/>');
  });

  it('keeps element names, ids, codes and timestamps', () => {
    expect(out).toContain('<?xml version="1.0" encoding="UTF-8"?>');
    expect(out).toContain('<REPC_IN150016UK05 xmlns="urn:hl7-org:v3" ITSVersion="XML_1.0">');
    expect(out).toContain('<id root="8D5A2B6C-1F3E-4A7B-9C0D-2E4F6A8B0C1D"/>');
    expect(out).toContain('<creationTime value="20261122100000"/>');
    expect(out).toContain('extension="REPC_IN150016UK05"');
    expect(out).toContain('<patient classCode="PAT">');
    // Whitespace between elements is kept, so the layout still reads.
    expect(out.split('\n')).toHaveLength(hl7.split('\n').length);
  });

  it('redacts a document cut off in the middle of a tag or text', () => {
    const cut = hl7.slice(0, hl7.indexOf('extension="9434') + 'extension="9434'.length);
    expect(redactHl7(cut)).not.toContain('9434');
    expect(redactHl7('<name><given>Jan')).toBe('<name><given>[redacted]');
  });

  it('leaves no text node but whitespace or [redacted], whatever the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('given', 'family', 'text', 'x:value'), fc.string()), {
          maxLength: 5,
        }),
        (nodes) => {
          const xml = `<root>${nodes.map(([name, text]) => `<${name}>${escapeXml(text)}</${name}>`).join('')}</root>`;
          const texts = redactHl7(xml)
            .split(/<[^>]*>/)
            .filter((t) => t !== '');
          return texts.every((t) => t.trim() === '' || t.trim() === '[redacted]');
        },
      ),
    );
  });
});

describe('NHS numbers', () => {
  it('recognises valid check digits only', () => {
    expect(isNhsNumber('9434765919')).toBe(true);
    expect(isNhsNumber('9434765918')).toBe(false);
    expect(isNhsNumber('943476591')).toBe(false);
  });

  it('masks valid NHS numbers anywhere, in any of the usual spellings, and nothing else', () => {
    expect(maskNhsNumbers('nhs 9434765919, or 943 476 5919, or 943-476-5919.')).toBe(
      'nhs *******919, or *******919, or *******919.',
    );
    // A timestamp, an ASID and an invalid number are left alone.
    expect(maskNhsNumbers('20261122100000 918999198738 9434765918')).toBe(
      '20261122100000 918999198738 9434765918',
    );
  });
});

describe('redactHttpBody', () => {
  const boundary = '--=_MIME-Boundary';
  const soap = `<SOAP:Envelope xmlns:SOAP="http://schemas.xmlsoap.org/soap/envelope/" xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd"><SOAP:Header><eb:MessageHeader><eb:CPAId>S20001A000182</eb:CPAId><eb:ConversationId>CONV-1</eb:ConversationId><eb:MessageData><eb:MessageId>MSG-1</eb:MessageId></eb:MessageData></eb:MessageHeader></SOAP:Header><SOAP:Body><eb:Manifest><eb:Reference xlink:href="cid:payload@nhs"><eb:Description xml:lang="en">HL7 payload</eb:Description></eb:Reference></eb:Manifest></SOAP:Body></SOAP:Envelope>`;
  const body = [
    `--${boundary}`,
    'Content-Id: <ebxml@nhs>',
    'Content-Type: text/xml; charset=UTF-8',
    '',
    soap,
    `--${boundary}`,
    'Content-Id: <payload@nhs>',
    'Content-Type: application/xml; charset=UTF-8',
    '',
    hl7,
    `--${boundary}`,
    'Content-Id: <letter@nhs>',
    'Content-Type: text/plain',
    '',
    'Dear Dr Smith, Jane Smith-Jones has knee pain.',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const contentType = `multipart/related; boundary="${boundary}"; type="text/xml"; start="<ebxml@nhs>"`;
  const out = redactHttpBody(body, contentType);

  it('keeps the ebXML header and part headers, so the operator still sees which message it is', () => {
    expect(out).toContain('<eb:CPAId>S20001A000182</eb:CPAId>');
    expect(out).toContain('<eb:MessageId>MSG-1</eb:MessageId>');
    expect(out).toContain('<eb:ConversationId>CONV-1</eb:ConversationId>');
    expect(out).toContain('Content-Id: <payload@nhs>');
    expect(out).toContain('xlink:href="cid:payload@nhs"');
  });

  it('redacts the HL7 part and replaces other parts by their size', () => {
    expect(out).not.toContain('Jane');
    expect(out).not.toContain('9434765919');
    expect(out).toContain('<given>[redacted]</given>');
    expect(out).toContain(
      `[redacted] (${'Dear Dr Smith, Jane Smith-Jones has knee pain.'.length} characters)`,
    );
    expect(out.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it('redacts the Body of a plain SOAP message (synchronous interactions carry HL7 there)', () => {
    const sync = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><wsa:MessageID>uuid:M1</wsa:MessageID></soap:Header><soap:Body>${hl7.replace(/^<\?xml[^>]*>\n/, '')}</soap:Body></soap:Envelope>`;
    const redacted = redactHttpBody(sync, 'text/xml');
    expect(redacted).toContain('<wsa:MessageID>uuid:M1</wsa:MessageID>');
    expect(redacted).not.toContain('Jane');
  });
});

describe('redactJson', () => {
  it('keeps ids, codes and descriptions, hides every other value, and redacts hl7 strings as HL7', () => {
    expect(
      redactJson({
        requestId: 'R-1',
        patient: { nhsNumber: '9434765919', name: 'Jane', age: 46 },
        errors: [{ errorCode: '200', description: 'Unknown NHS number 9434765919' }],
        hl7: '<given>Jane</given>',
        urgent: true,
      }),
    ).toEqual({
      requestId: 'R-1',
      patient: { nhsNumber: '[redacted]', name: '[redacted]', age: '[redacted]' },
      errors: [{ errorCode: '200', description: 'Unknown NHS number *******919' }],
      hl7: '<given>[redacted]</given>',
      urgent: true,
    });
  });
});
