import type { Response } from 'express';
import { InvalidSubmissionError, NotAcceptedError, type Submitted } from '../outbound/index.js';
import { DuplicateMessageError, type MessageStore, type StoredMessage } from '../store/index.js';
import { errorProblem, type Problem, sendProblem } from './problem.js';

/** The MHS adaptor's error body fields, kept beside our problem fields so its clients keep working. */
const SPINE_ERROR_MESSAGE = 'Error(s) received from Spine. Contact system administrator.';
const PROCESS_KEYS = { soap_fault: 'SOAP_ERROR_HANDLER0002', ebxml_error: 'EBXML_ERROR_HANDLER0005' };

/**
 * A finished message's answer, as the MHS adaptor gives it: the HL7 reply as XML, else the mapped
 * reply as JSON; a failure is a 500 carrying Spine's errors in the adaptor's fields.
 */
export async function sendFinished(
  response: Response,
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
