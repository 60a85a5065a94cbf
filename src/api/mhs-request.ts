import { z } from 'zod';
import type { Attachment, ExternalAttachment } from '../ebxml/index.js';
import { Hl7Error, readWrapper } from '../hl7/index.js';
import type { RouteTable } from '../routing/index.js';
import { NS, withXml, XmlInputError } from '../xml/index.js';
import { type Problem, validationProblem } from './problem.js';

// The NHS MHS adaptor's request body, with its limits (reference-system.md §2).
const CONTENT_TYPES = [
  'text/plain',
  'text/html',
  'application/pdf',
  'text/xml',
  'application/xml',
  'text/rtf',
  'audio/basic',
  'audio/mpeg',
  'image/png',
  'image/gif',
  'image/jpeg',
  'image/tiff',
  'video/mpeg',
  'application/msword',
  'application/octet-stream',
] as const;
const NCNAME = /^[A-Za-z_][\w.-]*$/;
/** C0 controls (but TAB, CR and LF), DEL and C1 controls: never meaningful in text for Spine. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** The same plus TAB, CR and LF, for one-line values. */
const LINE_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

/** A string refused with a message naming the first control character and where it is. */
function withoutControls(schema: z.ZodString, pattern: RegExp) {
  return schema.superRefine((value, context) => {
    const found = pattern.exec(value);
    if (found)
      context.addIssue({
        code: 'custom',
        message: `must not contain control characters (U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at character ${found.index + 1})`,
      });
  });
}
const oneLine = () => withoutControls(z.string().min(1), LINE_CONTROL);

/**
 * A document_id becomes the manifest's eb:id, which must be an XML NCName. Spine's convention for
 * an id that is not one (a UUID starting with a digit) is a leading underscore, as the MHS adaptor's
 * expected messages show (`_` + the UUID); anything still invalid after that is refused.
 */
const documentId = z
  .string()
  .transform((value) => (NCNAME.test(value) ? value : `_${value}`))
  .refine((value) => NCNAME.test(value), 'must be an XML NCName, or become one with a leading "_"');
export const mhsRequestBodySchema = z.strictObject({
  payload: z.string().min(1).max(5_000_000),
  attachments: z
    .array(
      z
        .strictObject({
          is_base64: z.boolean(),
          content_type: z.enum(CONTENT_TYPES),
          payload: z.string().min(1).max(5_000_000),
          description: oneLine(),
          document_id: documentId.optional(),
        })
        .superRefine((attachment, context) => {
          // Text goes into the MIME part as it is; base64 is decoded first and must be base64.
          const problem = attachment.is_base64
            ? BASE64.test(attachment.payload)
              ? undefined
              : 'is_base64 is true but this is not base64'
            : CONTROL.exec(attachment.payload)
              ? 'must not contain control characters other than tab, CR and LF (send binary content as base64)'
              : undefined;
          if (problem) context.addIssue({ code: 'custom', path: ['payload'], message: problem });
        }),
    )
    .max(98)
    .optional(),
  external_attachments: z
    .array(
      z.strictObject({
        // Written as the mid: URL of an eb:Reference: printable ASCII, no spaces or angle brackets.
        message_id: z
          .string()
          .min(1)
          .regex(
            /^[\x21-\x3b\x3d\x3f-\x7e]+$/,
            'must be printable ASCII without spaces, control characters or <>',
          ),
        description: oneLine(),
        document_id: documentId.optional(),
      }),
    )
    .optional(),
});
type MhsRequestBody = z.infer<typeof mhsRequestBodySchema>;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** What the header check reads of a request (an express Request is one). */
export interface MhsRequestHeaders {
  get(name: string): string | undefined;
  is(type: string): string | false | null;
}

/** The headers of a `POST /`, checked in the MHS adaptor's order: its status code for the first wrong one. */
export function readHeaders(
  request: MhsRequestHeaders,
  routes: Pick<RouteTable, 'has'>,
): { problem: Problem } | { interactionId: string; wait: 'true' | 'false' } {
  const interactionId = request.get('Interaction-Id');
  if (!interactionId) return { problem: { title: 'Required Interaction-Id header not found', status: 404 } };
  if (!routes.has(interactionId))
    return { problem: { title: `Unknown interaction ID: ${interactionId}`, status: 404 } };
  const wait = request.get('wait-for-response')?.toLowerCase();
  if (wait !== 'true' && wait !== 'false') {
    return {
      problem: {
        title: 'Invalid request',
        status: 400,
        detail: 'wait-for-response header must be true or false',
        errors: [{ field: 'wait-for-response', message: 'must be true or false' }],
      },
    };
  }
  if (!request.is('application/json')) {
    return {
      problem: {
        title: 'Unsupported Media Type',
        status: 415,
        detail: 'Content-Type must be application/json',
      },
    };
  }
  for (const header of ['Message-Id', 'Correlation-Id'] as const) {
    const value = request.get(header);
    if (value !== undefined && !ID.test(value)) {
      return {
        problem: {
          title: 'Invalid request',
          status: 400,
          detail: `${header} must be 1-100 letters, digits, '.', '_' or '-'`,
          errors: [{ field: header, message: 'invalid' }],
        },
      };
    }
  }
  return { interactionId, wait };
}

/** The body of a `POST /`: valid against the schema, within the size limit, and a whole HL7 message. */
export function readBody(
  raw: unknown,
  interactionId: string,
  maxRequestBytes: number,
): { problem: Problem } | { body: MhsRequestBody; hl7MessageId: string } {
  const parsed = mhsRequestBodySchema.safeParse(raw);
  if (!parsed.success) return { problem: validationProblem(parsed.error) };
  const body = parsed.data;
  const size =
    Buffer.byteLength(body.payload) +
    (body.attachments ?? []).reduce((n, a) => n + Buffer.byteLength(a.payload), 0);
  if (size > maxRequestBytes) {
    return {
      problem: {
        title: 'Request to send to Spine is too large',
        status: 400,
        detail: `MaxRequestSize=${maxRequestBytes} RequestSize=${size} (bytes)`,
      },
    };
  }
  const payload = readPayload(body.payload, interactionId);
  if ('problem' in payload) return payload;
  return { body, hl7MessageId: payload.hl7MessageId };
}

/**
 * The payload must be the HL7 interaction itself: well-formed UTF-8 XML without a DTD (the one
 * XML parser's rules, `src/xml`), whose root is the element `Interaction-Id` names in the HL7 V3
 * namespace, with the wrapper Spine and correlation read (its `id/@root` above all: an application
 * acknowledgement names it). Nothing the PAS sends reaches Spine unparsed; the wrapper's id comes
 * back so the message is not parsed twice.
 */
function readPayload(
  payload: string,
  interactionId: string,
): { problem: Problem } | { hl7MessageId: string } {
  const invalid = (message: string) => ({
    problem: {
      title: 'Invalid request',
      status: 400,
      detail: `payload: ${message}`,
      errors: [{ field: 'payload', message }],
    } satisfies Problem,
  });
  try {
    return withXml(payload, (doc) => {
      const root = doc.root;
      if (root.name !== interactionId || root.namespaceUri !== NS.hl7)
        return invalid(
          `root element is {${root.namespaceUri}}${root.name}; expected ${interactionId} in ${NS.hl7} (the Interaction-Id header)`,
        );
      return { hl7MessageId: readWrapper(root, payload).messageId };
    });
  } catch (error) {
    if (error instanceof XmlInputError) return invalid(error.message);
    if (error instanceof Hl7Error) return invalid(`not a whole HL7 message: ${error.message}`);
    throw error;
  }
}

export function toAttachment(
  a: NonNullable<MhsRequestBody['attachments']>[number],
  index: number,
): Attachment {
  const content = a.is_base64 ? Buffer.from(a.payload, 'base64') : Buffer.from(a.payload, 'utf8');
  const attachment: Attachment = {
    contentId: `${crypto.randomUUID().toUpperCase()}@spine.nhs.uk`,
    contentType: a.content_type,
    content,
    transferEncoding: a.is_base64 ? 'base64' : '8bit',
    description: a.description || `attachment ${index + 1}`,
  };
  if (a.document_id) attachment.documentId = a.document_id;
  return attachment;
}

export function toExternal(
  a: NonNullable<MhsRequestBody['external_attachments']>[number],
): ExternalAttachment {
  const external: ExternalAttachment = { messageId: a.message_id, description: a.description };
  if (a.document_id) external.documentId = a.document_id;
  return external;
}
