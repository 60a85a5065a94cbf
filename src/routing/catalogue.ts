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

/**
 * An interaction id: the HL7 V3 ones (`PRSC_IN080000UK07`, `QUPA_IN000008SM13`, `QUPC_IN000006GB01`)
 * and the few non-HL7 actions Spine services use (`GetConsent01`, `AccreditedSystemSearchRequest_1_0`).
 * It becomes eb:Action and the SOAPAction's last segment, so no spaces, slashes or markup.
 */
const INTERACTION_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const serviceUrn = z.string().min(1);

const interactionSchema = z.strictObject({
  /** A name people know the interaction by; absent where no public source names it. */
  name: z.string().min(1).optional(),
  /** The service we send it under, and its first service. */
  service: serviceUrn,
  /**
   * Services it may also arrive under. An application acknowledgement (MCCI_IN010000UK13) comes
   * under the service of the interaction it answers: psis, pds, gp2gp, ebs…
   */
  otherServices: z.array(serviceUrn).optional(),
  /** The request this interaction answers, for replies catalogued beside their requests. */
  replyTo: z.string().regex(INTERACTION_KEY).optional(),
  workflow: z.enum(WORKFLOWS, { error: (issue) => `unknown workflow "${String(issue.input)}"` }),
  direction: z.enum(['inbound', 'outbound', 'both']),
  reliability: z.string().min(1),
});

export const catalogueSchema = z
  .strictObject({
    reliabilityProfiles: z.record(z.string(), reliabilitySchema),
    interactions: z.record(z.string().regex(INTERACTION_KEY, 'is not an interaction id'), interactionSchema),
  })
  .superRefine((catalogue, ctx) => {
    for (const [id, interaction] of Object.entries(catalogue.interactions)) {
      if (interaction.replyTo && !catalogue.interactions[interaction.replyTo]) {
        ctx.addIssue({
          code: 'custom',
          path: ['interactions', id, 'replyTo'],
          message: `names uncatalogued request "${interaction.replyTo}"`,
        });
      }
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
