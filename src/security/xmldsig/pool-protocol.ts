import type { KeyObject } from 'node:crypto';
import type { SignOptions } from './sign.js';

export interface SignJob {
  id: number;
  envelopeXml: string;
  parts: { contentId: string; content: Uint8Array }[];
  /** KeyObjects cross to worker threads as they are; the key never leaves the process. */
  privateKey: KeyObject;
  certificatePem: string;
  options: SignOptions;
}

export type SignReply = { id: number; ok: true; signed: string } | { id: number; ok: false; error: string };
