// The signing floor: how many RSA-SHA256 signatures one thread makes per second with the gateway's
// key. Each signing thread (signing.workers) signs one message at a time, so this bounds what one
// thread can sign.
import { createPrivateKey, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface SigningFloor {
  algorithm: 'RSA-SHA256';
  keyBits: number;
  signaturesPerSecond: number;
  seconds: number;
}

/** At least the canonical ds:SignedInfo the gateway signs; RSA cost hardly depends on the size. */
const DEFAULT_BYTES = 2048;

export function measureRsaSigning(options: {
  privateKeyPem: string;
  durationMs: number;
  bytes?: number;
}): SigningFloor {
  if (!(options.durationMs > 0))
    throw new RangeError(`durationMs must be positive, got ${options.durationMs}`);
  const key = createPrivateKey(options.privateKeyPem);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`not an RSA key: ${key.asymmetricKeyType}`);
  const data = Buffer.alloc(options.bytes ?? DEFAULT_BYTES, 0x61);
  const started = performance.now();
  let signatures = 0;
  let elapsed = 0;
  // The same call as src/security/xmldsig/sign.ts (PKCS#1 v1.5 with SHA-256 for an RSA key).
  do {
    sign('sha256', data, key);
    signatures += 1;
    elapsed = performance.now() - started;
  } while (elapsed < options.durationMs);
  return {
    algorithm: 'RSA-SHA256',
    keyBits: key.asymmetricKeyDetails?.modulusLength ?? 0,
    signaturesPerSecond: Math.round((signatures / elapsed) * 1000 * 10) / 10,
    seconds: Math.round(elapsed) / 1000,
  };
}
