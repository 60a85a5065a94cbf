import { Router } from 'express';
import { z } from 'zod';
import type { Waiters } from '../correlation/index.js';
import type { Attachment, ExternalAttachment } from '../ebxml/index.js';
import { Hl7Error, readWrapper } from '../hl7/index.js';
import { isFinal } from '../lifecycle/index.js';
import {
  InvalidSubmissionError,
  NotAcceptedError,
  type OutboundSubmission,
  type Submitted,
} from '../outbound/index.js';
import { type RouteTable, RoutingError } from '../routing/index.js';
import { DuplicateMessageError, type MessageStore, type StoredMessage } from '../store/index.js';
import { NS, withXml, XmlInputError } from '../xml/index.js';
import { errorProblem, type Problem, sendProblem, validationProblem } from './problem.js';

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
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** The MHS adaptor's error body fields, kept beside our problem fields so its clients keep working. */
const SPINE_ERROR_MESSAGE = 'Error(s) received from Spine. Contact system administrator.';
const PROCESS_KEYS = { soap_fault: 'SOAP_ERROR_HANDLER0002', ebxml_error: 'EBXML_ERROR_HANDLER0005' };

export interface MhsRouteDependencies {
  routes: RouteTable;
  store: MessageStore;
  submission: OutboundSubmission;
  waiters: Waiters;
  maxRequestBytes: number;
}

/** `POST /`: the NHS MHS adaptor's API, with the same headers and status codes (minus its mistakes). */
export function mhsRoutes(deps: MhsRouteDependencies): Router {
  const router = Router();
  router.post('/', async (request, response) => {
    const interactionId = request.get('Interaction-Id');
    if (!interactionId)
      return sendProblem(response, { title: 'Required Interaction-Id header not found', status: 404 });
    if (!deps.routes.has(interactionId))
      return sendProblem(response, { title: `Unknown interaction ID: ${interactionId}`, status: 404 });
    const wait = request.get('wait-for-response')?.toLowerCase();
    if (wait !== 'true' && wait !== 'false') {
      return sendProblem(response, {
        title: 'Invalid request',
        status: 400,
        detail: 'wait-for-response header must be true or false',
        errors: [{ field: 'wait-for-response', message: 'must be true or false' }],
      });
    }
    if (!request.is('application/json')) {
      return sendProblem(response, {
        title: 'Unsupported Media Type',
        status: 415,
        detail: 'Content-Type must be application/json',
      });
    }
    for (const header of ['Message-Id', 'Correlation-Id'] as const) {
      const value = request.get(header);
      if (value !== undefined && !ID.test(value)) {
        return sendProblem(response, {
          title: 'Invalid request',
          status: 400,
          detail: `${header} must be 1-100 letters, digits, '.', '_' or '-'`,
          errors: [{ field: header, message: 'invalid' }],
        });
      }
    }
    const parsed = mhsRequestBodySchema.safeParse(request.body);
    if (!parsed.success) return sendProblem(response, validationProblem(parsed.error));
    const body = parsed.data;
    const size =
      Buffer.byteLength(body.payload) +
      (body.attachments ?? []).reduce((n, a) => n + Buffer.byteLength(a.payload), 0);
    if (size > deps.maxRequestBytes) {
      return sendProblem(response, {
        title: 'Request to send to Spine is too large',
        status: 400,
        detail: `MaxRequestSize=${deps.maxRequestBytes} RequestSize=${size} (bytes)`,
      });
    }
    const payload = readPayload(body.payload, interactionId);
    if ('problem' in payload) return sendProblem(response, payload.problem);
    if (deps.routes.catalogue.interactions[interactionId]!.direction === 'inbound') {
      return sendProblem(response, {
        title: 'Invalid request',
        status: 400,
        detail: `${interactionId} is sent to this gateway (by Spine or e-RS), not by the PAS`,
      });
    }
    // Catalogued but unrouted (neither SDS nor the routes file gives a route): the MHS adaptor's
    // 500 for a failed routing lookup, naming what is missing.
    let route: ReturnType<RouteTable['resolve']>;
    try {
      route = deps.routes.resolve(interactionId);
    } catch (error) {
      if (!(error instanceof RoutingError)) throw error;
      return sendProblem(
        response,
        errorProblem(error, { title: 'Error obtaining outbound URL', status: 500 }),
      );
    }
    const fromAsid = request.get('from-asid');
    if (route.workflow === 'sync' && !/^[0-9]{1,12}$/.test(fromAsid ?? '')) {
      return sendProblem(response, {
        title: 'Invalid request',
        status: 400,
        detail: `from-asid header (up to 12 digits) is required for ${interactionId}, a sync interaction`,
        errors: [{ field: 'from-asid', message: 'required for sync interactions: up to 12 digits' }],
      });
    }
    try {
      const submitted = await deps.submission.submit({
        interactionId,
        payloadXml: body.payload,
        hl7MessageId: payload.hl7MessageId,
        messageId: request.get('Message-Id'),
        conversationId: request.get('Correlation-Id'),
        data: {
          source: 'mhs-compatible',
          odsCode: request.get('ods-code'),
          fromAsid,
        },
        fromAsid: route.workflow === 'sync' ? fromAsid : undefined,
        attachments: (body.attachments ?? []).map(toAttachment),
        externalAttachments: (body.external_attachments ?? []).map(toExternal),
      });
      response.set({ 'Message-Id': submitted.messageId, 'Correlation-Id': submitted.conversationId });
      // Sync interactions always answer with the reply, as the MHS adaptor does.
      if (wait === 'false' && route.workflow !== 'sync')
        return response.status(202).json(accepted(submitted));
      const done = await deps.waiters.waitFor(
        submitted.messageId,
        async () => {
          const status = (await deps.store.get(submitted.messageId))?.status;
          return status !== undefined && isFinal(status);
        },
        route.persistDurationMs,
      );
      const finished = (await deps.store.get(submitted.messageId))!;
      if (!done)
        return sendProblem(response, {
          title: 'No response received in time',
          status: 504,
          detail: `message ${submitted.messageId} is ${finished.status}`,
          messageId: submitted.messageId,
        });
      return await sendFinished(response, finished, deps.store);
    } catch (error) {
      return sendProblem(response, submitProblem(error, request.get('Message-Id')));
    }
  });
  return router;
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

async function sendFinished(
  response: import('express').Response,
  message: StoredMessage,
  store: MessageStore,
): Promise<void> {
  if (message.status === 'COMPLETED' || message.status === 'REJECTED') {
    const syncReply = (message.reply as { hl7?: string } | undefined)?.hl7;
    if (syncReply)
      return void response.status(200).type('text/xml; charset=UTF-8').send(withDeclaration(syncReply));
    const replyId = (message.reply as { replyMessageId?: string } | undefined)?.replyMessageId;
    const reply = replyId ? await store.get(replyId) : undefined;
    if (reply?.hl7)
      return void response.status(200).type('text/xml; charset=UTF-8').send(withDeclaration(reply.hl7));
    return void response.status(200).json(message.reply ?? {});
  }
  const errors = (message.error as { errorType?: keyof typeof PROCESS_KEYS }[] | undefined) ?? [];
  const processKey = PROCESS_KEYS[errors[0]?.errorType ?? 'ebxml_error'] ?? PROCESS_KEYS.ebxml_error;
  sendProblem(response, {
    title: SPINE_ERROR_MESSAGE,
    status: 500,
    detail: `message ${message.messageId} is ${message.status}`,
    messageId: message.messageId,
    error_message: SPINE_ERROR_MESSAGE,
    process_key: processKey,
    errors,
  });
}

/** The 202 body: `correlationId` is the MHS adaptor's name for the ebXML ConversationId. */
export function accepted(submitted: Submitted): { messageId: string; correlationId: string; status: string } {
  return {
    messageId: submitted.messageId,
    correlationId: submitted.conversationId,
    status: submitted.status,
  };
}

function withDeclaration(hl7: string): string {
  return /^\s*<\?xml/.test(hl7) ? hl7 : `<?xml version="1.0" encoding="UTF-8"?>\n${hl7}`;
}

export function submitProblem(error: unknown, messageId?: string): Problem {
  if (error instanceof DuplicateMessageError)
    return errorProblem(error, { detail: `message ${messageId} was accepted before; use a new Message-Id` });
  if (error instanceof NotAcceptedError || error instanceof InvalidSubmissionError)
    return errorProblem(error);
  throw error;
}

function toAttachment(
  a: NonNullable<z.infer<typeof mhsRequestBodySchema>['attachments']>[number],
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

function toExternal(
  a: NonNullable<z.infer<typeof mhsRequestBodySchema>['external_attachments']>[number],
): ExternalAttachment {
  const external: ExternalAttachment = { messageId: a.message_id, description: a.description };
  if (a.document_id) external.documentId = a.document_id;
  return external;
}
