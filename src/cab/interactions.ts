// The C&B interactions (MIM 3.1.09 era ids) with their payload root and transmission wrapper:
// S = MCCI_MT010101UK12, A = MCCI_MT020101UK12 (acknowledging the request it answers).
export type CabWrapper = 'S' | 'A';

export interface CabInteraction {
  name: string;
  /** Root element under ControlActEvent/subject. */
  payload: string;
  wrapper: CabWrapper;
  /** Relative to the PAS. */
  direction: 'inbound' | 'outbound';
  /** The inbound interaction this one answers, if any. */
  answers?: string;
}

export const CAB_INTERACTIONS = {
  PRSC_IN080000UK07: {
    name: 'Request Available Slots',
    payload: 'RequestAvailableSlots',
    wrapper: 'S',
    direction: 'inbound',
  },
  PRSC_IN090000UK09: {
    name: 'Respond Available Slots',
    payload: 'AvailableSlots',
    wrapper: 'S',
    direction: 'outbound',
    answers: 'PRSC_IN080000UK07',
  },
  PRSC_IN100000UK06: {
    name: 'Notify Slot Cancellation',
    payload: 'CancelledSlotList',
    wrapper: 'S',
    direction: 'outbound',
  },
  PRSC_IN040000UK08: {
    name: 'Request Appointment Confirmation',
    payload: 'RequestAppointmentConfirmation',
    wrapper: 'S',
    direction: 'inbound',
  },
  PRSC_IN050000UK06: {
    name: 'Confirm Appointment',
    payload: 'RequestedAppointment',
    wrapper: 'A',
    direction: 'outbound',
    answers: 'PRSC_IN040000UK08',
  },
  PRSC_IN060000UK06: {
    name: 'Reject Appointment',
    payload: 'RequestedAppointment',
    wrapper: 'A',
    direction: 'outbound',
    answers: 'PRSC_IN040000UK08',
  },
  PRSC_IN070000UK08: {
    name: 'Request Appointment Cancellation',
    payload: 'RequestAppointmentCancellation',
    wrapper: 'S',
    direction: 'inbound',
  },
  PRSC_IN140000UK06: {
    name: 'Confirm Appointment Cancellation',
    payload: 'AppointmentCancellation',
    wrapper: 'A',
    direction: 'outbound',
    answers: 'PRSC_IN070000UK08',
  },
  PRSC_IN150000UK06: {
    name: 'Reject Appointment Cancellation',
    payload: 'AppointmentCancellation',
    wrapper: 'A',
    direction: 'outbound',
    answers: 'PRSC_IN070000UK08',
  },
  PRSC_IN130000UK07: {
    name: 'Notify Appointment Cancellation',
    payload: 'AppointmentCancellation',
    wrapper: 'S',
    direction: 'outbound',
  },
  PRSC_IN110000UK08: {
    name: 'Notify Appointment Did Not Attends',
    payload: 'DnaList',
    wrapper: 'S',
    direction: 'outbound',
  },
} as const satisfies Record<string, CabInteraction>;

export type CabInteractionId = keyof typeof CAB_INTERACTIONS;
