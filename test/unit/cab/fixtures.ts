import type { SlotPoll, SlotResponse } from '../../../src/cab/index.js';
import type { WrapperFields } from '../../../src/hl7/index.js';
import { ERS_ASID, PAS_ASID } from '../hl7/fixtures.js';

export const POLL: SlotPoll = {
  requestId: '5D3E8A1C-2B4F-4C6D-8E0A-1B2C3D4E5F60',
  clinicId: 'RTX-CARDIO-01',
  period: { start: '2026-01-05T00:00:00Z', end: '2026-01-19T00:00:00Z' },
};

export const RESPONSE: SlotResponse = {
  responseId: '9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D',
  clinicId: POLL.clinicId,
  pollRequestId: POLL.requestId,
  slots: [
    {
      usrn: 'C1D2E3F4-A5B6-4C7D-8E9F-0A1B2C3D4E5F',
      start: '2026-01-06T09:00:00Z',
      end: '2026-01-06T09:15:00Z',
    },
    {
      usrn: 'D2E3F4A5-B6C7-4D8E-9F0A-1B2C3D4E5F60',
      start: '2026-01-06T09:15:00Z',
      end: '2026-01-06T09:30:00Z',
      priority: 'urgent',
    },
    {
      usrn: 'E3F4A5B6-C7D8-4E9F-8A1B-2C3D4E5F6071',
      start: '2026-01-07T14:00:00Z',
      end: '2026-01-07T14:20:00Z',
      priority: 'two-week-wait',
    },
  ],
};

export const POLL_FIELDS: WrapperFields = {
  interactionId: 'PRSC_IN080000UK07',
  messageId: '0F1E2D3C-4B5A-4968-8776-5A4B3C2D1E0F',
  creationTime: new Date(Date.UTC(2026, 0, 4, 22, 30, 0)),
  toAsid: PAS_ASID,
  fromAsid: ERS_ASID,
};

export const RESPONSE_FIELDS: WrapperFields = {
  interactionId: 'PRSC_IN090000UK09',
  messageId: '7B6A5948-3726-4150-8F9E-8D7C6B5A4938',
  creationTime: new Date(Date.UTC(2026, 0, 4, 22, 30, 5)),
  toAsid: ERS_ASID,
  fromAsid: PAS_ASID,
};
