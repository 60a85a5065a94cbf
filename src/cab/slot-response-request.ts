// The PAS's JSON answer to a slot poll (POST /cab/slot-responses). Unknown fields are refused
// so a misspelt `priority` cannot silently drop a slot's priority.
import { z } from 'zod';
import { PRIORITY_CODES, priorityFromCode, type SlotPriority } from './priority.js';

const WORDS = Object.keys(PRIORITY_CODES) as SlotPriority[];

/** Accepts PriorityType words or codes; always yields the word. */
const priority = z
  .enum([...WORDS, ...Object.values(PRIORITY_CODES)] as [string, ...string[]])
  .transform((value): SlotPriority => priorityFromCode(value) ?? (value as SlotPriority));

const isoDateTime = z.iso.datetime({ offset: true });

const slot = z
  .strictObject({
    // Any 8-4-4-4-12 hex id: USRNs are the provider's own, not necessarily RFC 9562 variants.
    usrn: z.guid(),
    start: isoDateTime,
    end: isoDateTime,
    priority: priority.optional(),
  })
  .refine((s) => Date.parse(s.end) > Date.parse(s.start), {
    message: 'end must be after start',
    path: ['end'],
  });

export const slotResponseRequestSchema = z.strictObject({
  /** messageId of the PRSC_IN080000UK07 being answered. */
  inResponseTo: z.string().min(1),
  slots: z.array(slot),
  /** Optional; without it the answer is for the poll's own clinic. */
  clinicId: z.string().min(1).optional(),
});

export type SlotResponseRequest = z.output<typeof slotResponseRequestSchema>;
