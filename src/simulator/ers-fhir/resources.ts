// The simulator's e-RS FHIR resources, built from its state. Our own shapes, following the facts
// of the public e-RS API specification (profiles, extension URLs, code systems); no copied files.
import { CS, SD, SERVICE } from './fhir-systems.js';

export type WorklistName = 'REFERRALS_FOR_REVIEW' | 'APPOINTMENT_SLOT_ISSUES';
export type Availability = 'AVAILABLE' | 'PENDING' | 'THREATS_FOUND' | 'VALIDATION_FAILED';

export interface SimAttachment {
  id: string;
  binaryId: string;
  title: string;
  contentType: string;
  content: Buffer;
  availability: Availability;
  /** A PENDING file becomes AVAILABLE at this time (ms), as e-RS's scan finishes. */
  availableAt?: number;
}

export interface SimReferral {
  ubrn: string;
  version: number;
  nhsNumber: string;
  service: { id: string; name: string };
  /** The worklist it is on, or null once it has left. */
  list: WorklistName | null;
  state: string;
  reason?: string;
  comment?: string;
  priority: string;
  specialty: string;
  clinicType: string;
  pathwayStart: string;
  appointment?: { start: string; end: string };
  attachments: SimAttachment[];
  locked: boolean;
  created: string;
}

/** A new 12-digit UBRN. */
export function newUbrn(): string {
  return String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
}

export function availabilityOf(attachment: SimAttachment, now: number): Availability {
  if (
    attachment.availability === 'PENDING' &&
    attachment.availableAt !== undefined &&
    now >= attachment.availableAt
  )
    return 'AVAILABLE';
  return attachment.availability;
}

/** An eRS-DocumentReference-1 for one file, with its availability now. */
export function documentReference(
  a: SimAttachment,
  attachedAs: 'REFERRER' | 'PROVIDER',
  created: string,
  now: number,
  id: string,
) {
  return {
    resourceType: 'DocumentReference',
    id,
    meta: { profile: [`${SD}eRS-DocumentReference-1`] },
    status: 'current',
    type: {
      coding: [
        {
          system: `${CS}eRS-AttachmentType-1`,
          code: attachedAs,
          display: attachedAs === 'REFERRER' ? 'Referrer' : 'Provider',
        },
      ],
    },
    indexed: created,
    description: a.title,
    content: [
      {
        attachment: {
          id: a.id,
          extension: [
            {
              url: `${SD}Extension-eRS-AvailabilityStatus-1`,
              valueCoding: { system: `${CS}eRS-AvailabilityStatus-1`, code: availabilityOf(a, now) },
            },
          ],
          contentType: a.contentType,
          url: `Binary/${a.binaryId}`,
          size: a.content.byteLength,
          title: a.title,
          creation: created.slice(0, 10),
        },
      },
    ],
  };
}

export function referralResource(r: SimReferral, baseUrl: string, now: number): Record<string, unknown> {
  const documents = r.attachments.map((a) =>
    documentReference(a, 'REFERRER', r.created, now, `DocumentReference-${a.id}`),
  );
  const appointment = r.appointment
    ? [
        {
          resourceType: 'Appointment',
          id: 'appointment',
          status: 'booked',
          start: r.appointment.start,
          end: r.appointment.end,
          participant: [
            {
              actor: { identifier: { system: SERVICE, value: r.service.id }, display: r.service.name },
              status: 'accepted',
            },
            {
              actor: { identifier: { system: 'http://fhir.nhs.net/Id/nhs-number', value: r.nhsNumber } },
              status: 'accepted',
            },
          ],
        },
      ]
    : [];
  const stateParts: Record<string, unknown>[] = [
    { url: 'state', valueCoding: { system: `${CS}eRS-ReferralState-1`, code: r.state } },
  ];
  if (r.reason)
    stateParts.push({
      url: 'reason',
      valueCoding: { system: `${baseUrl}/STU3/CodeSystem/APPOINTMENT-CANCELLATION-REASON`, code: r.reason },
    });
  if (r.comment) stateParts.push({ url: 'comment', valueString: r.comment });
  return {
    resourceType: 'ReferralRequest',
    id: r.ubrn,
    meta: { versionId: String(r.version), profile: [`${SD}eRS-ReferralRequest-1`] },
    extension: [
      {
        url: `${SD}Extension-eRS-ReferralPriority-1`,
        valueCodeableConcept: { coding: [{ system: `${CS}eRS-Priority-1`, code: r.priority }] },
      },
      { url: `${SD}Extension-eRS-ReferralShortlist-1`, valueReference: { reference: '#shortlist' } },
      { url: `${SD}Extension-eRS-ReferralState-1`, extension: stateParts },
      { url: `${SD}Extension-eRS-eReferralPathwayStart-1`, valueDateTime: r.pathwayStart },
      { url: `${SD}Extension-eRS-ClinicalInfoFirstSubmitted-1`, valueDateTime: r.created },
      ...(r.appointment
        ? [{ url: `${SD}Extension-eRS-Appointment-1`, valueReference: { reference: '#appointment' } }]
        : []),
    ],
    contained: [
      {
        resourceType: 'Parameters',
        id: 'serviceSearchCriteria',
        parameter: [
          { name: 'priority', valueCoding: { system: `${CS}eRS-Priority-1`, code: r.priority } },
          {
            name: 'specialty',
            valueCoding: { system: `${baseUrl}/STU3/CodeSystem/SPECIALTY`, code: r.specialty },
          },
          { name: 'clinicType', valueCoding: { system: `${CS}eRS-ClinicType-1`, code: r.clinicType } },
        ],
      },
      {
        resourceType: 'List',
        id: 'shortlist',
        status: 'current',
        mode: 'snapshot',
        entry: [{ item: { identifier: { system: SERVICE, value: r.service.id }, display: r.service.name } }],
      },
      ...appointment,
      ...documents,
    ],
    status: r.state === 'CANCELLED_REFERRAL' || r.state === 'REJECTED' ? 'cancelled' : 'active',
    intent: 'plan',
    specialty: { coding: [{ system: `${baseUrl}/STU3/CodeSystem/SPECIALTY`, code: r.specialty }] },
    subject: { identifier: { system: 'http://fhir.nhs.net/Id/nhs-number', value: r.nhsNumber } },
    supportingInfo: documents.map((d) => ({ reference: `#${d.id}` })),
  };
}

export function worklistResource(
  referrals: SimReferral[],
  list: WorklistName,
  baseUrl: string,
): Record<string, unknown> {
  const item = list === 'REFERRALS_FOR_REVIEW' ? 'ReferralsforReview' : 'AppointmentSlotIssues';
  return {
    resourceType: 'List',
    meta: { profile: [`${SD}eRS-FetchWorklist-List-1`] },
    status: 'current',
    mode: 'snapshot',
    entry: referrals.map((r) => ({
      extension: [
        {
          url: `${SD}Extension-eRS-${item}-WorkListItem-1`,
          extension: [
            {
              url: 'priority',
              valueCodeableConcept: { coding: [{ system: `${CS}eRS-Priority-1`, code: r.priority }] },
            },
            {
              url: 'specialty',
              valueCodeableConcept: {
                coding: [{ system: `${baseUrl}/STU3/CodeSystem/SPECIALTY`, code: r.specialty }],
              },
            },
            { url: 'eReferralPathwayStart', valueDateTime: r.pathwayStart },
            {
              url: 'service',
              valueReference: {
                identifier: { system: SERVICE, value: r.service.id },
                display: r.service.name,
              },
            },
            { url: 'referralRequestVersion', valueInteger: r.version },
          ],
        },
      ],
      item: { reference: `ReferralRequest/${r.ubrn}` },
    })),
  };
}

export function taskBundle(r: SimReferral, actions: string[]): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: actions.map((code, index) => ({
      resource: {
        resourceType: 'Task',
        id: `task-${r.ubrn}-${index}`,
        status: 'ready',
        intent: 'proposal',
        focus: { reference: `ReferralRequest/${r.ubrn}/_history/${r.version}` },
        code: { coding: [{ system: `${CS}eRS-AvailableActionsForUser-1`, code }] },
      },
      search: { mode: 'match' },
    })),
  };
}
