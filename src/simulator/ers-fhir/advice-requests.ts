// The simulator's Advice and Guidance requests as held: created with their first message and files,
// found by UBRN, and answered with a message from the provider.
import { randomUUID } from 'node:crypto';
import { REFERRER, type SimAdvice, type SimMessage } from './advice-resources.js';
import { operationOutcome } from './outcomes.js';
import { refused, type SimError } from './refusals.js';
import { type Availability, newUbrn, type SimAttachment } from './resources.js';

export interface AdviceInput {
  ubrn?: string;
  service?: { id: string; name: string };
  priority?: string;
  specialty?: string;
  authorisedToConvert?: boolean;
  question?: string;
  attachments?: { title?: string; contentType?: string; content?: string; availability?: Availability }[];
}

export class AdviceRequests {
  readonly requests = new Map<string, SimAdvice>();
  private nextId = 60_000;

  constructor(protected readonly referralExists: (ubrn: string) => boolean) {}

  add(input: AdviceInput = {}): SimAdvice {
    const ubrn = input.ubrn ?? newUbrn();
    const now = new Date().toISOString();
    const files = (input.attachments ?? []).map((a, index) => this.file(ubrn, a, index));
    const advice: SimAdvice = {
      ubrn,
      version: 1,
      nhsNumber: '9434765870',
      service: input.service ?? { id: '900001', name: 'Simulated Dermatology Advice' },
      status: 'active',
      category: 'PROVIDER_RESPONSE_REQUIRED',
      priority: input.priority ?? 'ROUTINE',
      specialty: input.specialty ?? 'DERMATOLOGY',
      authorisedToConvert: input.authorisedToConvert ?? true,
      attachments: files,
      messages: [
        {
          id: String(this.nextId++),
          sentBy: 'REQUESTER',
          sent: now,
          ...REFERRER,
          text: input.question ?? 'Could you advise on management? History and photo attached.',
          attachments: files,
        },
      ],
      locked: false,
      created: now,
    };
    this.requests.set(ubrn, advice);
    return advice;
  }

  allAttachments(): SimAttachment[] {
    return [...this.requests.values()].flatMap((a) => a.messages.flatMap((m) => m.attachments));
  }

  protected find(ubrn: string): SimAdvice | SimError {
    const found = this.requests.get(ubrn);
    if (found) return found;
    if (this.referralExists(ubrn))
      return refused('INVALID_REQUEST_TYPE', `${ubrn} is a referral, not an advice and guidance request`);
    return { status: 404, json: operationOutcome('REFERENCE_NOT_FOUND', `no request ${ubrn}`, 'not-found') };
  }

  protected reply(
    advice: SimAdvice,
    text: string,
    user: { userId?: string; ods: string; businessFunction?: string },
    now: number,
  ) {
    const message: SimMessage = {
      id: String(this.nextId++),
      sentBy: 'RESPONDER',
      sent: new Date(now).toISOString(),
      userId: user.userId ?? '300000000202',
      organisation: user.ods,
      businessFunction: user.businessFunction ?? 'SERVICE_PROVIDER_CLINICIAN',
      text,
      attachments: [],
    };
    advice.messages.push(message);
    return message;
  }

  private file(
    ubrn: string,
    a: NonNullable<AdviceInput['attachments']>[number],
    index: number,
  ): SimAttachment {
    return {
      id: String(this.nextId++),
      binaryId: randomUUID(),
      title: a.title ?? `advice-${index + 1}.pdf`,
      contentType: a.contentType ?? 'application/pdf',
      content: Buffer.from(a.content ?? `%PDF-1.4 simulated advice request ${ubrn} ${index}\n`),
      availability: a.availability ?? 'AVAILABLE',
    };
  }
}
