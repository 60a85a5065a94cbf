import type { WrapperFields } from '../../../src/hl7/index.js';

/** e-RS (OpenTest AS) and a made-up provider ASID. */
export const ERS_ASID = '918999199246';
export const PAS_ASID = '200000001234';

export function ackFields(messageId: string): Omit<WrapperFields, 'interactionId'> {
  return {
    messageId,
    creationTime: new Date(Date.UTC(2026, 0, 5, 10, 0, 0)),
    toAsid: ERS_ASID,
    fromAsid: PAS_ASID,
  };
}

export const ACKNOWLEDGED_ID = '3C8B1A54-7E2F-4D61-9B0A-2F5C6D7E8F90';
