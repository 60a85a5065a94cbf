// Builds the hostile signed envelopes bench/signature/measure.mjs times, up to the inbound body
// limit (5.1 MB), into the directory given (default: a temporary one). Needs `npm run build`.
// Usage: node bench/signature/make-inputs.mjs DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMessage, PARTY_TYPE } from '../../dist/ebxml/index.js';
import { initDevPki } from '../../dist/security/pki/index.js';
import { loadTls } from '../../dist/security/tls/index.js';
import { signEnvelope } from '../../dist/security/xmldsig/index.js';

const dir = process.argv[2] ?? join(tmpdir(), 'mhs-signature-bench');
mkdirSync(dir, { recursive: true });
const { paths } = await initDevPki({ dir: join(dir, 'pki') });
const tls = loadTls({ cert: paths.simulatorCert, key: paths.simulatorKey, ca: paths.caCert });
const identity = { privateKey: tls.privateKey, certificate: tls.certificate };
const LIMIT = 5_100_000;
const NEXT_MSH = 'SOAP:actor="urn:oasis:names:tc:ebxml-msg:actor:nextMSH"';

function envelope() {
  const built = buildMessage({
    header: {
      from: { id: 'YES-0000806', type: PARTY_TYPE },
      to: { id: 'RTX-821088', type: PARTY_TYPE },
      cpaId: 'S918999714114',
      conversationId: 'C0FFEE00-0000-4000-8000-000000000001',
      service: 'urn:nhs:names:services:ebs',
      action: 'PRSC_IN080000UK07',
      messageId: 'C0FFEE00-0000-4000-8000-000000000002',
      timestamp: '2026-12-01T00:00:00Z',
    },
    reliability: { duplicateElimination: true, syncReply: false },
    payloadXml: '<x xmlns="urn:hl7-org:v3"/>',
    attachments: [],
    externalAttachments: [],
  });
  return built;
}

/** Fills `unit` into the envelope at `marker` (before or after signing) up to `bytes`. */
function filled(bytes, unit, marker, signFirst) {
  const built = envelope();
  const base = signFirst ? signEnvelope(built.envelopeXml, built.parts, identity) : built.envelopeXml;
  const count = Math.max(0, Math.floor((bytes - base.length - 3000) / unit.length));
  const xml = base.replace(marker, `${marker}${unit.repeat(count)}`);
  return signFirst ? xml : signEnvelope(xml, built.parts, identity);
}

const sizes = [500_000, 1_300_000, LIMIT];
const inputs = {};
for (const size of sizes) {
  const mb = (size / 1e6).toFixed(1);
  // Blocks the signature leaves out (the 147 s case of issue 13), added after signing.
  inputs[`actor-blocks-${mb}MB`] = filled(size, `<h ${NEXT_MSH}>1</h>`, '<SOAP:Header>', true);
  // Covered content: the most element nodes a body of this size can hold.
  inputs[`flat-body-${mb}MB`] = filled(size, '<a/>', '<SOAP:Body>', false);
  // A namespace declared per element: work per element and namespace in C14N.
  inputs[`namespaces-${mb}MB`] = filled(size, '<a xmlns:p="urn:p"/>', '<SOAP:Body>', false);
}
// 2,000 namespace declarations over 2,000 elements (54 KB): quadratic in libxml2's inclusive C14N.
{
  const decls = Array.from({ length: 2000 }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join('');
  const built = envelope();
  const xml = built.envelopeXml.replace(
    '<SOAP:Body>',
    `<SOAP:Body><q:Bulk xmlns:q="urn:q"${decls}>${'<q:a/>'.repeat(2000)}</q:Bulk>`,
  );
  // Signed with exclusive C14N (fast to make); the verifier refuses it on the declarations alone.
  inputs['namespace-bomb-0.1MB'] = signEnvelope(xml, built.parts, identity, { c14n: 'exclusive' });
}
// A SignedInfo of many references (each refused past the cap, but first it must be read).
const built = envelope();
const signedXml = signEnvelope(built.envelopeXml, built.parts, identity);
const reference =
  '<ds:Reference URI="cid:x"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>';
const many = Math.floor((LIMIT - signedXml.length) / reference.length);
inputs[`references-${(LIMIT / 1e6).toFixed(1)}MB`] = signedXml.replace(
  '</ds:SignedInfo>',
  `${reference.repeat(many)}</ds:SignedInfo>`,
);

writeFileSync(join(dir, 'warm-up.xml'), signedXml);
for (const [name, xml] of Object.entries(inputs)) writeFileSync(join(dir, `${name}.xml`), xml);
// Every input has the same single payload part.
writeFileSync(
  join(dir, 'parts.json'),
  JSON.stringify(
    built.parts.map((p) => ({ contentId: p.contentId, base64: Buffer.from(p.content).toString('base64') })),
  ),
);
writeFileSync(join(dir, 'ca.pem'), tls.caCertificates.map((c) => c.toString()).join(''));
console.log(dir);
