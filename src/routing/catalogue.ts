import { z } from 'zod';
import { parseDuration } from './duration.js';

export const WORKFLOWS = ['sync', 'async-express', 'async-reliable', 'forward-reliable'] as const;
export type Workflow = (typeof WORKFLOWS)[number];

const duration = z
  .string()
  .refine((value) => parseDuration(value) !== undefined, 'must be an ISO 8601 duration like PT1M');
const alwaysNever = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['always', 'never']));

/** SDS reliability attributes (nhsMHS*), as published; enumerations compared case-insensitively. */
export const reliabilitySchema = z.strictObject({
  ackRequested: alwaysNever,
  actor: z.enum([
    'urn:oasis:names:tc:ebxml-msg:actor:nextMSH',
    'urn:oasis:names:tc:ebxml-msg:actor:toPartyMSH',
  ]),
  duplicateElimination: alwaysNever,
  retries: z.number().int().min(0).max(20),
  retryInterval: duration,
  persistDuration: duration,
  syncReplyMode: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['none', 'mshsignalsonly', 'signalsonly', 'responseonly', 'signalsandresponse'])),
});
export type ReliabilitySettings = z.infer<typeof reliabilitySchema>;

const interactionSchema = z.strictObject({
  name: z.string().min(1),
  service: z.string().min(1),
  workflow: z.enum(WORKFLOWS, { error: (issue) => `unknown workflow "${String(issue.input)}"` }),
  direction: z.enum(['inbound', 'outbound', 'both']),
  reliability: z.string().min(1),
});

export const catalogueSchema = z
  .strictObject({
    reliabilityProfiles: z.record(z.string(), reliabilitySchema),
    interactions: z.record(
      z.string().regex(/^[A-Z]{4}_IN\d{6}UK\d{2}$/, 'is not an HL7 interaction id'),
      interactionSchema,
    ),
  })
  .superRefine((catalogue, ctx) => {
    for (const [id, interaction] of Object.entries(catalogue.interactions)) {
      if (!catalogue.reliabilityProfiles[interaction.reliability]) {
        ctx.addIssue({
          code: 'custom',
          path: ['interactions', id, 'reliability'],
          message: `names unknown reliability profile "${interaction.reliability}"`,
        });
      }
    }
  });
export type Catalogue = z.infer<typeof catalogueSchema>;

const routeOverrides = z.strictObject({
  endpoint: z.string().url().optional(),
  toPartyKey: z.string().min(1).optional(),
  cpaId: z.string().min(1).optional(),
  /** The receiving system's ASID (sync SOAP puts it in communicationFunctionRcv). */
  toAsid: z
    .string()
    .regex(/^[0-9]{1,12}$/, 'must be up to 12 digits')
    .optional(),
  sign: z.boolean().optional(),
  /** Inbound messages of this interaction must be signed (default: the gateway's inbound.requireSignature). */
  requireSignature: z.boolean().optional(),
  /** Accept RSA-SHA1 / SHA-1 digests on inbound signatures of this interaction (default false). */
  allowSha1: z.boolean().optional(),
  reliability: reliabilitySchema.partial().optional(),
  /** How long a sent message waits for Spine's answer (Acknowledgment, application ack) before it is UNANSWERED. */
  replyTimeout: duration.optional(),
});

export const routesFileSchema = z.strictObject({
  defaults: routeOverrides,
  routes: z.record(z.string(), routeOverrides),
});
export type RoutesFile = z.infer<typeof routesFileSchema>;
