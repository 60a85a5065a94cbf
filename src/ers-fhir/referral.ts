// STU3 ReferralRequest (eRS-ReferralRequest-1) → the plain JSON the PAS reads. Pure; golden-tested.
// Only what e-RS's profile defines is read; anything missing comes out absent or null, never guessed.
import { createError } from '../errors/index.js';

import {
  arr,
  type Coded,
  coded,
  documentAttachments,
  isObject,
  type Json,
  NHS_NUMBER_SYSTEM,
  omitUndefined,
  type ReferralAttachmentInfo,
  type ServiceRef,
  serviceRef,
  str,
  versionedResource,
} from './fhir-json.js';

export type { Coded, ReferralAttachmentInfo, ServiceRef };

export interface ReferralJson {
  ubrn: string;
  version: number;
  nhsNumber?: string;
  /** ReferralRequest.status: active, cancelled, completed. */
  status?: string;
  state?: Coded & { reason?: Coded; comment?: string };
  priority?: Coded;
  specialty?: Coded;
  clinicType?: Coded;
  service?: ServiceRef;
  /** e-Referral pathway start: when the referral-to-treatment clock started. */
  rttClockStart?: string;
  clinicalInfoFirstSubmitted?: string;
  clinicalInfoLastUpdated?: string;
  appointment: { status?: string; start?: string; end?: string; service?: ServiceRef } | null;
  shortlist: ServiceRef[];
  attachments: ReferralAttachmentInfo[];
}

/** Thrown when the resource is not a ReferralRequest with a UBRN and a version. */
export class ReferralShapeError extends createError(
  'ERS_REFERRAL_UNREADABLE',
  502,
  'Unexpected answer from e-RS',
) {}

export function mapReferral(raw: unknown): ReferralJson {
  const { resource, ubrn, version, extension } = versionedResource(
    raw,
    'ReferralRequest',
    ReferralShapeError,
  );
  const contained = arr(resource.contained).filter(isObject);
  const byId = (reference: unknown) => {
    const id = str(reference)?.replace(/^#/, '');
    return id ? contained.find((c) => c.id === id) : undefined;
  };

  const stateExtension = extension('Extension-eRS-ReferralState-1');
  const stateParts = arr(stateExtension?.extension).filter(isObject);
  const statePart = (url: string) => stateParts.find((p) => p.url === url);
  const stateCode = coded(statePart('state')?.valueCoding);
  const reason = coded(statePart('reason')?.valueCoding);
  const comment = str(statePart('comment')?.valueString);

  const shortlistList = byId(
    (extension('Extension-eRS-ReferralShortlist-1')?.valueReference as Json | undefined)?.reference,
  );
  const shortlist = arr(shortlistList?.entry)
    .filter(isObject)
    .map((entry) => serviceRef(entry.item))
    .filter((s): s is ServiceRef => s !== undefined);
  const criteria = contained.find((c) => c.resourceType === 'Parameters' && c.id === 'serviceSearchCriteria');
  const criterion = (name: string) =>
    coded(
      arr(criteria?.parameter)
        .filter(isObject)
        .find((p) => p.name === name)?.valueCoding,
    );

  const appointmentResource =
    byId((extension('Extension-eRS-Appointment-1')?.valueReference as Json | undefined)?.reference) ??
    contained.find((c) => c.resourceType === 'Appointment');
  const appointmentService = appointmentResource
    ? arr(appointmentResource.participant)
        .filter(isObject)
        .map((p) => serviceRef(p.actor))
        .find((s) => s !== undefined)
    : undefined;
  const appointment = appointmentResource
    ? omitUndefined({
        status: str(appointmentResource.status),
        start: str(appointmentResource.start),
        end: str(appointmentResource.end),
        service: appointmentService,
      })
    : null;

  const attachments = arr(resource.supportingInfo)
    .filter(isObject)
    .map((info) => byId(info.reference))
    .filter((doc): doc is Json => doc?.resourceType === 'DocumentReference')
    .flatMap(documentAttachments);

  const subject = resource.subject as Json | undefined;
  const subjectId = subject?.identifier as Json | undefined;
  return omitUndefined({
    ubrn,
    version,
    nhsNumber: subjectId?.system === NHS_NUMBER_SYSTEM ? str(subjectId.value) : undefined,
    status: str(resource.status),
    state: stateCode ? omitUndefined({ ...stateCode, reason, comment }) : undefined,
    priority: coded(
      arr(
        (extension('Extension-eRS-ReferralPriority-1')?.valueCodeableConcept as Json | undefined)?.coding,
      )[0],
    ),
    specialty: coded(arr((resource.specialty as Json | undefined)?.coding)[0]) ?? criterion('specialty'),
    clinicType: criterion('clinicType'),
    service: appointmentService ?? shortlist[0],
    rttClockStart: str(extension('Extension-eRS-eReferralPathwayStart-1')?.valueDateTime),
    clinicalInfoFirstSubmitted: str(extension('Extension-eRS-ClinicalInfoFirstSubmitted-1')?.valueDateTime),
    clinicalInfoLastUpdated: str(extension('Extension-eRS-ClinicalInfoLastUpdated-1')?.valueDateTime),
    appointment,
    shortlist,
    attachments,
  }) as ReferralJson;
}
