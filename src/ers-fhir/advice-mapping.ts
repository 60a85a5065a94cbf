// Advice and Guidance: e-RS's STU3 CommunicationRequest (A024), Communication bundle (A025) and
// A&G worklist (A023) → the plain JSON the PAS reads. Pure; only what e-RS's profiles define is
// read, anything missing comes out absent, never guessed.
import { createError } from '../errors/index.js';
import {
  arr,
  type Coded,
  coded,
  documentAttachments,
  firstCoding,
  isObject,
  type Json,
  NHS_NUMBER_SYSTEM,
  omitUndefined,
  type ReferralAttachmentInfo,
  SD,
  SERVICE_SYSTEM,
  type ServiceRef,
  str,
  versionedResource,
} from './fhir-json.js';

export interface AdviceJson {
  ubrn: string;
  version: number;
  nhsNumber?: string;
  /** CommunicationRequest.status: active, cancelled, completed. */
  status?: string;
  /** eRS-AdviceAndGuidanceStatus-1: PROVIDER_RESPONSE_REQUIRED, REFERRER_TO_REVIEW_RESPONSE… */
  adviceStatus?: Coded;
  priority?: Coded;
  specialty?: Coded;
  /** The service asked for advice (recipient). */
  service?: ServiceRef;
  /** Whether the referrer let the provider convert it into a referral (A027); absent when e-RS did not say. */
  conversionAuthorised?: boolean;
  attachments: ReferralAttachmentInfo[];
}

/** Who sent a message: the PractitionerRole e-RS includes (SDS user id, ODS code, business function). */
export interface AdviceParticipant {
  userId?: string;
  organisation?: string;
  businessFunction?: string;
}

export interface AdviceMessage {
  id: string;
  /** eRS-CommunicationSentBy-1: REQUESTER, RESPONDER, REFERRER_CLINICAL_INFORMATION_UPDATED. */
  sentBy?: string;
  sent?: string;
  sender?: AdviceParticipant;
  text?: string;
  attachments: ReferralAttachmentInfo[];
}

export interface AdviceWorklistEntry {
  ubrn: string;
  version: number;
  adviceStatus?: string;
  priority?: string;
  specialty?: string;
  service?: string;
  firstRequested?: string;
  lastUpdated?: string;
}

/** Thrown when an answer is not the resource its endpoint promises. */
export class AdviceShapeError extends createError(
  'ERS_ANSWER_UNEXPECTED',
  502,
  'Unexpected answer from e-RS',
) {}

const CS = 'https://fhir.nhs.uk/STU3/CodeSystem/';

export function mapAdviceRequest(raw: unknown): AdviceJson {
  const { resource, ubrn, version, extension } = versionedResource(
    raw,
    'CommunicationRequest',
    AdviceShapeError,
  );
  const conversion = coded(extension('Extension-eRS-ProviderConversionAuthorisation-1')?.valueCoding)?.code;
  const recipient = arr(resource.recipient)
    .filter(isObject)
    .flatMap((r) => arr(r.extension).filter(isObject))
    .find((e) => e.url === `${SD}Extension-HealthcareService-Reference-1`);
  const serviceId = (recipient?.valueReference as Json | undefined)?.identifier as Json | undefined;
  const subjectId = (resource.subject as Json | undefined)?.identifier as Json | undefined;
  const category = arr(resource.category)
    .map(firstCoding)
    .find((c) => c !== undefined);
  return omitUndefined({
    ubrn,
    version,
    nhsNumber: subjectId?.system === NHS_NUMBER_SYSTEM ? str(subjectId.value) : undefined,
    status: str(resource.status),
    adviceStatus: category,
    priority: firstCoding(extension('Extension-eRS-ReferralPriority-1')?.valueCodeableConcept),
    specialty: coded(extension('Extension-eRS-Specialty-1')?.valueCoding),
    service:
      serviceId?.system === SERVICE_SYSTEM && str(serviceId.value)
        ? { id: str(serviceId.value)! }
        : undefined,
    conversionAuthorised:
      conversion === 'AUTHORISED_TO_CONVERT'
        ? true
        : conversion === 'NOT_AUTHORISED_TO_CONVERT'
          ? false
          : undefined,
    attachments: arr(resource.contained)
      .filter(isObject)
      .filter((c) => c.resourceType === 'DocumentReference')
      .flatMap(documentAttachments),
  }) as AdviceJson;
}

/** A025's searchset: its Communications (oldest first), each with its sender and files resolved from the includes. */
export function mapConversation(bundle: unknown): AdviceMessage[] {
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle')
    throw new AdviceShapeError('A025 answer is not a Bundle');
  const resources = arr(bundle.entry)
    .filter(isObject)
    .map((entry) => entry.resource)
    .filter(isObject);
  const included = (type: string, reference: unknown) => {
    const id = str(reference)?.replace(/^.*[/#]/, '');
    return id ? resources.find((r) => r.resourceType === type && r.id === id) : undefined;
  };
  return resources
    .filter((r) => r.resourceType === 'Communication')
    .map((c) => {
      const senderRef = arr((c.sender as Json | undefined)?.extension)
        .filter(isObject)
        .map((e) => (e.valueReference as Json | undefined)?.reference)
        .find((r) => r !== undefined);
      const role = included('PractitionerRole', senderRef);
      const files = arr(c.payload)
        .filter(isObject)
        .map((p) => included('DocumentReference', (p.contentReference as Json | undefined)?.reference))
        .filter(isObject)
        .flatMap(documentAttachments);
      return omitUndefined({
        id: str(c.id) ?? '',
        sentBy: arr(c.category)
          .map(firstCoding)
          .find((x) => x !== undefined)?.code,
        sent: str(c.sent),
        sender: role ? participant(role) : undefined,
        text: str(arr(c.note).filter(isObject)[0]?.text),
        attachments: files,
      }) as AdviceMessage;
    })
    .sort((a, b) => (a.sent ?? '').localeCompare(b.sent ?? ''));
}

function participant(role: Json): AdviceParticipant {
  const id = (part: unknown) => str(((part as Json | undefined)?.identifier as Json | undefined)?.value);
  return omitUndefined({
    userId: id(role.practitioner),
    organisation: id(role.organization),
    businessFunction: arr(role.code)
      .map(firstCoding)
      .find((x) => x !== undefined)?.code,
  }) as AdviceParticipant;
}

/** A023's request: the provider's one A&G worklist (user-restricted, so no service parameter). */
export function adviceWorklistParameters(): unknown {
  return {
    resourceType: 'Parameters',
    meta: { profile: [`${SD}eRS-FetchWorklist-Parameters-1`] },
    parameter: [
      {
        name: 'listType',
        valueCodeableConcept: {
          coding: [{ system: `${CS}eRS-CommunicationListSelector-1`, code: 'ADVICE_AND_GUIDANCE_REQUESTS' }],
        },
      },
    ],
  };
}

/** A023's List: each entry's UBRN (CommunicationRequest/{ubrn}) and communicationRequestVersion, with its summary. */
export function readAdviceWorklist(list: unknown): AdviceWorklistEntry[] {
  if (!isObject(list) || list.resourceType !== 'List')
    throw new AdviceShapeError('A023 answer is not a List');
  return arr(list.entry)
    .filter(isObject)
    .map((entry, index) => {
      const ubrn = /^CommunicationRequest\/([0-9]{12})$/.exec(
        str((entry.item as Json | undefined)?.reference) ?? '',
      )?.[1];
      const parts = arr(entry.extension)
        .filter(isObject)
        .flatMap((e) => arr(e.extension).filter(isObject));
      const part = (url: string) => parts.find((p) => p.url === url);
      const version = part('communicationRequestVersion')?.valueInteger;
      if (!ubrn || typeof version !== 'number')
        throw new AdviceShapeError(
          `List.entry[${index}] has no CommunicationRequest reference or communicationRequestVersion`,
        );
      const service = (part('service')?.valueReference as Json | undefined)?.identifier as Json | undefined;
      return omitUndefined({
        ubrn,
        version,
        adviceStatus: firstCoding(part('category')?.valueCodeableConcept)?.code,
        priority: firstCoding(part('priority')?.valueCodeableConcept)?.code,
        specialty: firstCoding(part('specialty')?.valueCodeableConcept)?.code,
        service: str(service?.value),
        firstRequested: str(part('adviceFirstRequested')?.valueDateTime),
        lastUpdated: str(part('adviceLastUpdated')?.valueDateTime),
      }) as AdviceWorklistEntry;
    });
}
