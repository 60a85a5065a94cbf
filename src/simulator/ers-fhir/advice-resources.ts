// The simulator's Advice and Guidance resources, built from its state: our own shapes, following
// the facts of the public e-RS specification (profiles, extension URLs, code systems).
import { randomUUID } from 'node:crypto';
import { CS, SD, SERVICE } from './fhir-systems.js';
import { documentReference, type SimAttachment } from './resources.js';

/** The GP who asks: every simulated request comes from this referrer. */
export const REFERRER = {
  userId: '200000000101',
  organisation: 'B82001',
  businessFunction: 'REFERRING_CLINICIAN',
};

export interface SimMessage {
  id: string;
  sentBy: 'REQUESTER' | 'RESPONDER';
  sent: string;
  /** SDS user id, ODS code and business function of the sender. */
  userId: string;
  organisation: string;
  businessFunction: string;
  text: string;
  attachments: SimAttachment[];
}

export interface SimAdvice {
  ubrn: string;
  version: number;
  nhsNumber: string;
  service: { id: string; name: string };
  status: 'active' | 'completed';
  /** eRS-AdviceAndGuidanceStatus-1. */
  category: string;
  priority: string;
  specialty: string;
  authorisedToConvert: boolean;
  attachments: SimAttachment[];
  messages: SimMessage[];
  locked: boolean;
  created: string;
}

/** A023's List: one entry per request awaiting the provider, with its version. */
export function adviceWorklist(entries: SimAdvice[], baseUrl: string): Record<string, unknown> {
  return {
    resourceType: 'List',
    meta: { profile: [`${SD}eRS-FetchWorklist-List-1`] },
    status: 'current',
    mode: 'snapshot',
    entry: entries.map((a) => ({
      extension: [
        {
          url: `${SD}Extension-eRS-AdviceAndGuidanceRequests-WorkListItem-1`,
          extension: [
            {
              url: 'priority',
              valueCodeableConcept: { coding: [{ system: `${CS}eRS-Priority-1`, code: a.priority }] },
            },
            {
              url: 'specialty',
              valueCodeableConcept: {
                coding: [{ system: `${baseUrl}/STU3/CodeSystem/SPECIALTY`, code: a.specialty }],
              },
            },
            {
              url: 'category',
              valueCodeableConcept: {
                coding: [{ system: `${CS}eRS-AdviceAndGuidanceStatus-1`, code: a.category }],
              },
            },
            { url: 'adviceFirstRequested', valueDateTime: a.created },
            { url: 'adviceLastUpdated', valueDateTime: a.messages.at(-1)!.sent },
            { url: 'service', valueReference: { identifier: { system: SERVICE, value: a.service.id } } },
            { url: 'communicationRequestVersion', valueInteger: a.version },
          ],
        },
      ],
      item: { reference: `CommunicationRequest/${a.ubrn}` },
    })),
  };
}

/** A025's searchset: the messages (match), their senders and files (include). */
export function conversationBundle(a: SimAdvice, basedOn: string, now: number): Record<string, unknown> {
  const practitioners = new Map<string, SimMessage>();
  for (const m of a.messages) practitioners.set(roleId(m), m);
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: {
      lastUpdated: new Date(now).toISOString(),
      profile: ['http://hl7.org/fhir/STU3/StructureDefinition/Bundle'],
    },
    type: 'searchset',
    total: a.messages.length,
    link: [{ relation: 'self', url: `STU3/Communication?based-on=${encodeURIComponent(basedOn)}` }],
    entry: [
      ...a.messages.map((m) => ({ resource: communication(a, m), search: { mode: 'match' } })),
      ...[...practitioners.values()].map((m) => ({
        resource: practitionerRole(m),
        search: { mode: 'include' },
      })),
      ...a.messages.flatMap((m) =>
        m.attachments.map((f) => ({
          resource: documentReference(
            f,
            m.sentBy === 'REQUESTER' ? 'REFERRER' : 'PROVIDER',
            m.sent,
            now,
            f.id,
          ),
          search: { mode: 'include' },
        })),
      ),
    ],
  };
}

export function adviceResource(a: SimAdvice, now: number): Record<string, unknown> {
  const first = a.messages[0]!;
  return {
    resourceType: 'CommunicationRequest',
    id: a.ubrn,
    meta: { versionId: String(a.version), profile: [`${SD}eRS-CommunicationRequest-1`] },
    contained: [
      practitionerRole(first),
      ...a.attachments.map((f) =>
        documentReference(f, 'REFERRER', a.created, now, `DocumentReference-${f.id}`),
      ),
    ],
    extension: [
      {
        url: `${SD}Extension-eRS-ReferralPriority-1`,
        valueCodeableConcept: { coding: [{ system: `${CS}eRS-Priority-1`, code: a.priority }] },
      },
      {
        url: `${SD}Extension-eRS-ProviderConversionAuthorisation-1`,
        valueCoding: {
          system: `${CS}eRS-ProviderConversionAuthorisation-1`,
          code: a.authorisedToConvert ? 'AUTHORISED_TO_CONVERT' : 'NOT_AUTHORISED_TO_CONVERT',
        },
      },
      { url: `${SD}Extension-eRS-Specialty-1`, valueCoding: { system: 'SPECIALTY', code: a.specialty } },
    ],
    identifier: [{ system: 'https://fhir.nhs.uk/Id/ers-request-id', value: `sim.${a.ubrn}` }],
    status: a.status,
    category: [{ coding: [{ system: `${CS}eRS-AdviceAndGuidanceStatus-1`, code: a.category }] }],
    subject: { identifier: { system: 'http://fhir.nhs.net/Id/nhs-number', value: a.nhsNumber } },
    recipient: [
      {
        extension: [
          {
            url: `${SD}Extension-HealthcareService-Reference-1`,
            valueReference: { identifier: { system: SERVICE, value: a.service.id } },
          },
        ],
      },
    ],
    sender: { extension: [roleReference(first)] },
    requester: { agent: { extension: [roleReference(first)] } },
    payload: a.attachments.map((f) => ({ contentReference: { reference: `#DocumentReference-${f.id}` } })),
  };
}

export function roleId(m: SimMessage): string {
  return `PractitionerRole-${m.organisation}-${m.userId}`;
}

function roleReference(m: SimMessage) {
  return {
    url: `${SD}Extension-PractitionerRole-Reference-1`,
    valueReference: { reference: `#${roleId(m)}` },
  };
}

export function practitionerRole(m: SimMessage) {
  return {
    resourceType: 'PractitionerRole',
    id: roleId(m),
    meta: { profile: ['https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-PractitionerRole-1'] },
    practitioner: { identifier: { system: 'http://fhir.nhs.net/Id/sds-user-id', value: m.userId } },
    organization: {
      identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: m.organisation },
    },
    code: [{ coding: [{ system: `${CS}eRS-BusinessFunction-1`, code: m.businessFunction }] }],
  };
}

export function communication(a: SimAdvice, m: SimMessage) {
  return {
    resourceType: 'Communication',
    id: m.id,
    meta: { profile: [`${SD}eRS-Communication-1`] },
    status: 'completed',
    category: [{ coding: [{ system: `${CS}eRS-CommunicationSentBy-1`, code: m.sentBy }] }],
    recipient: [
      m.sentBy === 'REQUESTER'
        ? {
            extension: [
              {
                url: `${SD}Extension-HealthcareService-Reference-1`,
                valueReference: { identifier: { system: SERVICE, value: a.service.id } },
              },
            ],
          }
        : {
            identifier: {
              system: 'https://fhir.nhs.uk/Id/ods-organization-code',
              value: REFERRER.organisation,
            },
          },
    ],
    sent: m.sent,
    sender: {
      extension: [{ ...roleReference(m), valueReference: { reference: `PractitionerRole/${roleId(m)}` } }],
    },
    payload: m.attachments.map((f) => ({ contentReference: { reference: `DocumentReference/${f.id}` } })),
    note: [{ text: m.text }],
  };
}
