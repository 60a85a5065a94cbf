// Times one hostile signed envelope through what the inbound event loop runs synchronously for
// it: parse, then signature verification (the profile checks, C14N and digests). Prints the
// block in milliseconds and the process's peak RSS. Run one input per process:
//   node bench/signature/measure.mjs DIR/flat-body-5.1MB.xml
// MODE=string verifies from text (a second parse), as the gateway did before issue 13.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { verifyEnvelope } from '../../dist/security/xmldsig/index.js';
import { parseXml } from '../../dist/xml/index.js';

const file = process.argv[2];
const xml = readFileSync(file, 'utf8');
const ca = readFileSync(join(dirname(file), 'ca.pem'), 'utf8');
const trusted = ca.split(/(?=-----BEGIN CERTIFICATE-----)/).map((pem) => new X509Certificate(pem));
const parts = JSON.parse(readFileSync(join(dirname(file), 'parts.json'), 'utf8'));
const options = {
  trusted,
  manifestHrefs: parts.map((p) => `cid:${p.contentId}`),
  parts: new Map(parts.map((p) => [p.contentId, Buffer.from(p.base64, 'base64')])),
};

// Warm up (WASM compilation, JIT) on a small signed envelope from the same directory.
const small = readFileSync(join(dirname(file), 'warm-up.xml'), 'utf8');
for (let i = 0; i < 3; i++) verifyEnvelope(small, options);

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
await new Promise((r) => setTimeout(r, 20));
const started = performance.now();
const cpuStarted = process.cpuUsage();
let outcome;
let parsedAt;
if (process.env.MODE === 'string') {
  const doc = parseXml(xml, { maxBytes: 10_000_000 });
  doc.dispose();
  parsedAt = performance.now();
  outcome = verifyEnvelope(xml, options);
} else {
  const doc = parseXml(xml, { maxBytes: 10_000_000 });
  parsedAt = performance.now();
  try {
    outcome = verifyEnvelope({ doc, text: xml }, options);
  } finally {
    doc.dispose();
  }
}
const blockMs = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
await new Promise((r) => setTimeout(r, 20));
delay.disable();
const reason = outcome.present ? (outcome.valid ? 'valid' : outcome.reason) : 'no signature';
console.log(
  JSON.stringify({
    input: file.split('/').pop(),
    bytes: xml.length,
    blockMs: Math.round(blockMs),
    parseMs: Math.round(parsedAt - started),
    verifyMs: Math.round(blockMs - (parsedAt - started)),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    loopDelayMaxMs: Math.round(delay.max / 1e6),
    rssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    outcome: reason.slice(0, 90),
  }),
);
