// The simulated e-RS's read side for a provider: worklists (A008), referrals (A005), their actions
// (A029), code systems (A004), the clinical summary (A007), files (A006, A042's 307) and A&G (A023–A043).
import { codeSystemResource } from './code-systems.js';
import { answerFault } from './faults.js';
import { fhirJson, notFound, parseJson, sendFile } from './http.js';
import type { ObjectStore } from './object-store.js';
import { operationOutcome, r4OperationOutcome } from './outcomes.js';
import {
  availabilityOf,
  referralResource,
  type SimReferral,
  taskBundle,
  type WorklistName,
  worklistResource,
} from './resources.js';
import type { FhirCall } from './routes.js';
import type { ErsState } from './state.js';

type WorklistParameters = {
  parameter?: {
    name?: string;
    valueCodeableConcept?: { coding?: { code?: string }[] };
    valueIdentifier?: { value?: string };
  }[];
};

/** A008; `count` records the call per service too (`A008:<service>`). */
export async function fetchWorklist(state: ErsState, call: FhirCall, count: (key: string) => void) {
  const params = parseJson(await call.body()) as WorklistParameters | undefined;
  const list = params?.parameter?.find((p) => p.name === 'listType')?.valueCodeableConcept?.coding?.[0]
    ?.code as WorklistName | undefined;
  const service = params?.parameter?.find((p) => p.name === 'service')?.valueIdentifier?.value;
  if (list !== 'REFERRALS_FOR_REVIEW' && list !== 'APPOINTMENT_SLOT_ISSUES')
    return fhirJson(
      call.response,
      422,
      operationOutcome('INVALID_VALUE', 'listType must be a provider worklist'),
    );
  count(`A008:${service ?? '*'}`);
  const entries = [...state.referrals.values()].filter(
    (r) => r.list === list && (!service || r.service.id === service),
  );
  fhirJson(call.response, 200, worklistResource(entries, list, call.baseUrl));
}

/** The referral a call names, or undefined once answered 404. */
function referralOf(state: ErsState, call: FhirCall): SimReferral | undefined {
  const referral = state.referrals.get(call.route.ubrn!);
  if (!referral) notFound(call.response, `no referral ${call.route.ubrn}`);
  return referral;
}

/** A005. */
export function readReferral(state: ErsState, call: FhirCall) {
  const referral = referralOf(state, call);
  if (referral)
    fhirJson(call.response, 200, referralResource(referral, call.baseUrl, Date.now()), referral.version);
}

/** A029: the actions open to the user, only on the referral's current version. */
export function availableActions(state: ErsState, call: FhirCall) {
  const focus = call.url.searchParams.get('focus') ?? '';
  const match = /^ReferralRequest\/([0-9]{12})\/_history\/([0-9]+)$/.exec(focus);
  const referral = match ? state.referrals.get(match[1]!) : undefined;
  if (!match || !referral)
    return fhirJson(
      call.response,
      400,
      operationOutcome('INVALID_PARAMETER', 'focus must be ReferralRequest/{ubrn}/_history/{version}'),
    );
  const actions =
    referral.list === 'REFERRALS_FOR_REVIEW'
      ? ['RECORD_REVIEW_OUTCOME', 'CANCEL_REFERRAL']
      : ['CANCEL_REFERRAL'];
  fhirJson(call.response, 200, taskBundle(referral, Number(match[2]) === referral.version ? actions : []));
}

/** A004. */
export function readCodeSystem(call: FhirCall) {
  const codeSystem = codeSystemResource(call.route.codeSystem!, call.baseUrl);
  if (!codeSystem) return notFound(call.response, `no code system ${call.route.codeSystem}`);
  fhirJson(call.response, 200, codeSystem);
}

/** A stand-in for e-RS's generated summary: a small PDF-looking file naming the referral and its version. */
export function clinicalInformationPdf(referral: SimReferral): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% simulated clinical information summary\n% UBRN ${referral.ubrn} version ${referral.version} priority ${referral.priority}\n%%EOF\n`,
  );
}

/** A007. */
export function clinicalSummary(state: ErsState, call: FhirCall) {
  const referral = referralOf(state, call);
  if (referral)
    sendFile(
      call.response,
      'application/pdf',
      clinicalInformationPdf(referral),
      `${referral.ubrn}_clinical_information.pdf`,
    );
}

/** A006 serves the file; A042 redirects (307) to the object store. */
export function readFile(state: ErsState, objectStore: ObjectStore, call: FhirCall) {
  const attachment = state.allAttachments().find((a) => a.binaryId === call.route.binaryId);
  if (!attachment)
    return fhirJson(call.response, 404, r4OperationOutcome('REFERENCE_NOT_FOUND', 'no such file'));
  const availability = availabilityOf(attachment, Date.now());
  if (availability !== 'AVAILABLE')
    return fhirJson(call.response, 422, r4OperationOutcome(availability, `file is ${availability}`));
  if (call.route.endpoint === 'A006')
    return sendFile(call.response, attachment.contentType, attachment.content);
  call.response
    .writeHead(307, { Location: objectStore.presign(attachment, call.request.headers.host) })
    .end();
}

/** A023–A027 and A043, answered by the A&G simulator. */
export async function adviceEndpoint(state: ErsState, call: FhirCall): Promise<void> {
  const answer = await state.advice.answer(call.route.endpoint, {
    ...(call.route.ubrn ? { ubrn: call.route.ubrn } : {}),
    basedOn: call.url.searchParams.get('based-on'),
    body: async () => parseJson(await call.body()),
    header: call.header,
    baseUrl: call.baseUrl,
  });
  if (call.fault && answer.status < 300) return answerFault(call.response, call.fault);
  if ('pdf' in answer) return sendFile(call.response, 'application/pdf', answer.pdf, answer.filename);
  fhirJson(call.response, answer.status, answer.json, answer.version);
}
