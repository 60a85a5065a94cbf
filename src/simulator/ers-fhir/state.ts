// What the simulated e-RS holds: referrals (whose versions increase with every change), the Advice and
// Guidance requests, and so every file either carries.
import { randomUUID } from 'node:crypto';
import { AdviceSimulator } from './advice.js';
import {
  type Availability,
  newUbrn,
  referralResource,
  type SimAttachment,
  type SimReferral,
} from './resources.js';

/** A referral to add: defaults for everything not given. */
export type ReferralInput = Partial<Omit<SimReferral, 'attachments'>> & {
  attachments?: {
    title?: string;
    contentType?: string;
    content?: string;
    availability?: Availability;
    pendingForMs?: number;
  }[];
};

export class ErsState {
  readonly referrals = new Map<string, SimReferral>();
  /** Advice and Guidance requests (A023–A027, A043); A027 turns one into a referral of the same UBRN. */
  readonly advice = new AdviceSimulator(
    (input) => this.addReferral(input),
    (ubrn) => this.referrals.has(ubrn),
    (referral, baseUrl) => referralResource(referral, baseUrl, Date.now()),
  );

  /** A new referral on a worklist (defaults for everything not given). */
  addReferral(input: ReferralInput = {}): SimReferral {
    const ubrn = input.ubrn ?? newUbrn();
    const now = new Date();
    const referral: SimReferral = {
      ubrn,
      version: input.version ?? 1,
      nhsNumber: input.nhsNumber ?? '9434765919',
      service: input.service ?? { id: '900001', name: 'Simulated Cardiology Clinic' },
      list: input.list === undefined ? 'REFERRALS_FOR_REVIEW' : input.list,
      state: input.state ?? 'BOOKED',
      priority: input.priority ?? 'ROUTINE',
      specialty: input.specialty ?? 'CARDIOLOGY',
      clinicType: input.clinicType ?? 'HEART_FAILURE',
      pathwayStart: input.pathwayStart ?? now.toISOString(),
      ...(input.appointment
        ? { appointment: input.appointment }
        : input.state === undefined || input.state === 'BOOKED'
          ? {
              appointment: {
                start: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
                end: new Date(now.getTime() + 14 * 86_400_000 + 900_000).toISOString(),
              },
            }
          : {}),
      attachments: (input.attachments ?? []).map((a, index) => ({
        id: String(80_000 + this.referrals.size * 10 + index),
        binaryId: randomUUID(),
        title: a.title ?? `letter-${index + 1}.pdf`,
        contentType: a.contentType ?? 'application/pdf',
        content: Buffer.from(a.content ?? `%PDF-1.4 simulated referral letter ${ubrn} ${index}\n`),
        availability: a.availability ?? 'AVAILABLE',
        ...(a.pendingForMs !== undefined ? { availableAt: Date.now() + a.pendingForMs } : {}),
      })),
      locked: input.locked ?? false,
      created: now.toISOString(),
    };
    this.referrals.set(ubrn, referral);
    return referral;
  }

  /** Every file held, on referrals and on A&G requests. */
  allAttachments(): SimAttachment[] {
    return [...[...this.referrals.values()].flatMap((r) => r.attachments), ...this.advice.allAttachments()];
  }
}
