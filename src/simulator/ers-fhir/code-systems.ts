// The reference data the simulator serves (A004), and the codes it checks decisions against.
import { CS } from './fhir-systems.js';

/** A small CodeSystem of our own for A004; reasons carry usage (REJECT / CANCEL) and effective dates. */
export function codeSystemResource(type: string, baseUrl: string): Record<string, unknown> | undefined {
  const concept = (code: string, display: string, props: Record<string, unknown>[] = []) => ({
    code,
    display,
    property: props,
  });
  const usage = (code: string) => ({
    code: 'usage',
    valueCoding: { system: `${CS}eRS-AppointmentCancellationReasonUsage-1`, code },
  });
  const systems: Record<string, ReturnType<typeof concept>[]> = {
    'APPOINTMENT-CANCELLATION-REASON': [
      concept('CLINICALLY_INAPPROPRIATE', 'Referral clinically inappropriate', [
        usage('REJECT'),
        { code: 'commentIsMandatory', valueBoolean: true },
      ]),
      concept('SERVICE_NOT_PROVIDED', 'Service not provided here', [usage('REJECT')]),
      concept('RETIRED_REASON', 'A reason no longer in use', [
        usage('REJECT'),
        { code: 'effectiveTo', valueDateTime: '2015-01-01T00:00:00.000Z' },
      ]),
      concept('PATIENT_UNWELL', 'Patient unwell', [usage('CANCEL')]),
    ],
    PRIORITY: [
      concept('ROUTINE', 'Routine'),
      concept('URGENT', 'Urgent'),
      concept('TWO_WEEK_WAIT', 'Two week wait'),
    ],
    SPECIALTY: [concept('CARDIOLOGY', 'Cardiology'), concept('DERMATOLOGY', 'Dermatology')],
  };
  const concepts = systems[type];
  if (!concepts) return undefined;
  return {
    resourceType: 'CodeSystem',
    id: type,
    url: `${baseUrl}/STU3/CodeSystem/${type}`,
    status: 'active',
    content: 'complete',
    concept: concepts,
  };
}

/** The codes of one of our code systems (A014 checks a rejection reason against them). */
export function codesOf(type: string, baseUrl: string): string[] {
  return ((codeSystemResource(type, baseUrl)?.concept as { code: string }[] | undefined) ?? []).map(
    (c) => c.code,
  );
}
