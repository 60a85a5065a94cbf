// Identifiers of the NPfIT HL7 V3 message set at MIM 3.1.09, as listed in the MIM's OID catalogue.

export const HL7_VERSION_CODE = 'V3NPfIT3.1.09';

export const OID = {
  ubrn: '2.16.840.1.113883.2.1.3.2.4.1',
  clinic: '2.16.840.1.113883.2.1.3.2.4.2',
  nhsNumber: '2.16.840.1.113883.2.1.4.1',
  asid: '1.2.826.0.1285.0.2.0.107',
  interaction: '2.16.840.1.113883.2.1.3.2.4.12',
  ackDetail: '2.16.840.1.113883.2.1.3.2.4.17.32',
  priority: '2.16.840.1.113883.2.1.3.2.4.17.95',
  ebsResponse: '2.16.840.1.113883.2.1.3.2.4.17.100',
  detectedIssueQualifier: '2.16.840.1.113883.2.1.3.2.4.17.104',
} as const;

/** Interaction id of the application acknowledgement (wrapper MCCI_MT020101UK12). */
export const APPLICATION_ACKNOWLEDGEMENT = 'MCCI_IN010000UK13';

/**
 * The C&B requests e-RS sends a provider (MIM 3.1.09 interaction ids), by what they ask: the
 * simulator sends them, the soak drives them, the PAS answers them.
 */
export const ERS_REQUEST = {
  availableSlots: 'PRSC_IN080000UK07',
  appointmentConfirmation: 'PRSC_IN040000UK08',
  appointmentCancellation: 'PRSC_IN070000UK08',
} as const;

export type ErsRequestInteraction = (typeof ERS_REQUEST)[keyof typeof ERS_REQUEST];

/** NPfIT interaction ids, e.g. PRSC_IN080000UK07; they double as the wrapper's root element name. */
export const INTERACTION_ID = /^[A-Z]{4}_IN\d{6}UK\d{2}$/;
