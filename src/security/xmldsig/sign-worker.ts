// A signing thread: canonicalises (our own envelopes without libxml2) and signs off the event loop.
import { X509Certificate } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { SignJob, SignReply } from './pool-protocol.js';
import { signEnvelope } from './sign.js';

const port = parentPort!;
/** One gateway signs with one certificate at a time (a new one after a reload): parse each once. */
const certificates = new Map<string, X509Certificate>();

port.on('message', (job: SignJob) => {
  try {
    let certificate = certificates.get(job.certificatePem);
    if (!certificate) {
      certificates.clear();
      certificate = new X509Certificate(job.certificatePem);
      certificates.set(job.certificatePem, certificate);
    }
    const signed = signEnvelope(
      job.envelopeXml,
      job.parts.map((part) => ({
        contentId: part.contentId,
        content: Buffer.from(part.content.buffer, part.content.byteOffset, part.content.byteLength),
      })),
      { privateKey: job.privateKey, certificate },
      job.options,
    );
    port.postMessage({ id: job.id, ok: true, signed } satisfies SignReply);
  } catch (error) {
    port.postMessage({ id: job.id, ok: false, error: (error as Error).message } satisfies SignReply);
  }
});
