// The examples in the OpenAPI description of the referral routes: a referral as the PAS reads it,
// and each decision's body and summary.
import type { DecisionAction } from '../ers-fhir/index.js';

export const EXAMPLE_REFERRAL = {
  ubrn: '000012345678',
  version: 4,
  nhsNumber: '9990001112',
  status: 'active',
  state: { code: 'BOOKED', display: 'Booked' },
  priority: { code: 'URGENT', display: 'Urgent' },
  specialty: { code: 'DERMATOLOGY', display: 'Dermatology' },
  clinicType: { code: 'SKIN_LESION' },
  service: { id: '43210', name: 'Riverside Dermatology' },
  rttClockStart: '2026-10-02T08:30:00.000Z',
  clinicalInfoFirstSubmitted: '2026-10-02T08:45:12.000Z',
  appointment: {
    status: 'booked',
    start: '2026-11-20T10:15:00.000Z',
    end: '2026-11-20T10:30:00.000Z',
    service: { id: '43210', name: 'Riverside Dermatology' },
  },
  shortlist: [{ id: '43210', name: 'Riverside Dermatology' }],
  attachments: [
    {
      id: '55501',
      title: 'gp-letter.pdf',
      contentType: 'application/pdf',
      url: 'Binary/0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b',
      size: 2048,
      availability: 'AVAILABLE',
      attachedAs: 'REFERRER',
      status: 'DOWNLOADED',
      sha256: '3f0a1c…',
      downloadedSize: 2048,
      href: '/ers/referrals/000012345678/attachments/55501',
    },
    {
      id: '55502',
      title: 'lesion-photo.jpg',
      contentType: 'image/jpeg',
      url: 'Binary/9a8b7c6d-5e4f-4321-8abc-def012345678',
      availability: 'PENDING',
      status: 'PENDING',
      detail: 'e-RS is still scanning the file',
    },
  ],
};

export const DECISION_EXAMPLES: Record<DecisionAction, { summary: string; value: unknown }> = {
  accept: { summary: 'Accept (A013): no body', value: {} },
  reject: {
    summary: 'Reject (A014): a reason with usage REJECT',
    value: {
      reason: 'SERVICE_NOT_PROVIDED',
      comments: 'Not offered at this site',
      appointmentCancelledInPas: true,
    },
  },
  'review-outcome': {
    summary: 'Record a review outcome (A028)',
    value: {
      outcome: 'ACCEPT_REFER_BOOK_LATER',
      comments: 'Book into the next urgent clinic',
      priority: 'URGENT',
    },
  },
  'cancel-appointment-action-later': {
    summary: 'Cancel the appointment, action later (A022)',
    value: { comments: 'Clinic cancelled; we will rebook', appointmentCancelledInPas: true },
  },
};

export const DECISION_SUMMARIES: Record<DecisionAction, string> = {
  accept: 'Accept a referral (e-RS A013)',
  reject: 'Reject a referral with a reason (e-RS A014)',
  'review-outcome': 'Record a review (triage) outcome (e-RS A028; A029 must permit RECORD_REVIEW_OUTCOME)',
  'cancel-appointment-action-later': 'Cancel the appointment, action later (e-RS A022)',
};
