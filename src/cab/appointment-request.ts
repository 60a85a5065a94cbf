// PRSC_IN040000UK08 payload: RequestAppointmentConfirmation [PCPR/RQO], e-RS asking the provider
// to confirm a booking (or an amendment, e.g. a new priority) of one slot for one referral.
import { el, OID, renderXml, type XmlElementSpec } from '../hl7/index.js';
import { CabError } from './errors.js';
import { ubrnId } from './identifiers.js';
import { CAB_OID } from './oids.js';
import { actId, type PayloadNode, patientSubject, payloadRootAttrs, readPayload } from './payload-xml.js';
import { PRIORITY_CODES, priorityFromCode, type SlotPriority } from './priority.js';
import { hl7Timestamp } from './timestamp.js';

export interface ReferralAuthor {
  sdsRoleProfileId?: string;
  sdsUserId?: string;
  /** ODS code of the referrer's organisation. */
  odsCode?: string;
}

export interface ReferralInformation {
  /** When the referral was decided, as an ISO date-time in UTC. */
  effectiveTime?: string;
  author?: ReferralAuthor;
}

export interface AppointmentRequest {
  /** RequestAppointmentConfirmation/id (a UUID), when the request carries one. */
  requestId?: string;
  ubrn: string;
  /** The slot to book. */
  usrn: string;
  nhsNumber: string;
  /** The referral's PriorityType. */
  priority?: SlotPriority;
  referral?: ReferralInformation;
}

const PAYLOAD = 'RequestAppointmentConfirmation';
// MIM 7.2.02 names the act relationship pertinentInformation1; read the plain name too, in case
// the 3.1.09 model has only one.
const REFERRAL =
  'hl7:pertinentInformation1/hl7:pertinentReferral | hl7:pertinentInformation/hl7:pertinentReferral';
const AGENT = 'hl7:author/hl7:agentPersonSDS | hl7:author/hl7:AgentPersonSDS';

export function buildAppointmentRequestPayload(request: AppointmentRequest): string {
  const { referral, priority } = request;
  const hasReferral =
    priority !== undefined || referral?.effectiveTime !== undefined || referral?.author !== undefined;
  return renderXml(
    el(
      PAYLOAD,
      payloadRootAttrs('PCPR', 'RQO'),
      request.requestId === undefined ? undefined : actId(request.requestId),
      patientSubject(request.nhsNumber),
      hasReferral &&
        el(
          'pertinentInformation1',
          { typeCode: 'PERT' },
          el(
            'pertinentReferral',
            { classCode: 'INFRM', moodCode: 'EVN' },
            referral?.effectiveTime === undefined
              ? undefined
              : el('effectiveTime', { value: hl7Timestamp(referral.effectiveTime) }),
            priority && el('priorityCode', { code: PRIORITY_CODES[priority], codeSystem: OID.priority }),
            referral?.author && authorElement(referral.author),
          ),
        ),
      el(
        'inFulfillmentOf',
        { typeCode: 'FLFS' },
        el('priorRequestedService', { classCode: 'SPLY', moodCode: 'PRMS' }, ubrnId(request.ubrn)),
      ),
      el(
        'fulfillment',
        { typeCode: 'FLFS' },
        el('appointmentSlot', { classCode: 'SPLY', moodCode: 'SLOT' }, actId(request.usrn)),
      ),
    ),
  );
}

export function parseAppointmentRequest(payloadXml: string): AppointmentRequest {
  return readPayload(payloadXml, PAYLOAD, (root) => {
    const requestId = root.optional('hl7:id/@root');
    const referralNode = root.first(REFERRAL, 'pertinentInformation1/pertinentReferral');
    const priority = referralNode && readPriority(referralNode);
    const referral = referralNode && readReferral(referralNode);
    return {
      ...(requestId !== undefined && { requestId }),
      ubrn: root.identifier('hl7:inFulfillmentOf/hl7:priorRequestedService/hl7:id', OID.ubrn, 'UBRN'),
      usrn: root.required('hl7:fulfillment/hl7:appointmentSlot/hl7:id/@root'),
      nhsNumber: root.identifier('hl7:subject/hl7:patient/hl7:id', OID.nhsNumber, 'NHS number'),
      ...(priority && { priority }),
      ...(referral && { referral }),
    };
  });
}

function authorElement(author: ReferralAuthor): XmlElementSpec {
  const { sdsRoleProfileId, sdsUserId, odsCode } = author;
  return el(
    'author',
    { typeCode: 'AUT' },
    el(
      'agentPersonSDS',
      { classCode: 'AGNT' },
      sdsRoleProfileId === undefined
        ? undefined
        : el('id', { root: CAB_OID.sdsRoleProfile, extension: sdsRoleProfileId }),
      sdsEntity('agentPersonSDS', 'PSN', CAB_OID.sdsUser, sdsUserId),
      sdsEntity('representedOrganisationSDS', 'ORG', CAB_OID.sdsOrganisation, odsCode),
    ),
  );
}

/** One SDS person or organisation of the author, identified by `extension`; absent without it. */
function sdsEntity(
  name: string,
  classCode: 'PSN' | 'ORG',
  root: string,
  extension: string | undefined,
): XmlElementSpec | undefined {
  if (extension === undefined) return undefined;
  return el(name, { classCode, determinerCode: 'INSTANCE' }, el('id', { root, extension }));
}

function readPriority(referral: PayloadNode): SlotPriority | undefined {
  const code = referral.optional('hl7:priorityCode/@code');
  if (code === undefined) return undefined;
  const priority = priorityFromCode(code);
  if (priority === undefined) {
    const where = `${referral.path}/priorityCode/@code`;
    throw new CabError(`${where} is "${code}", not a PriorityType code (1, 2 or 3)`, where);
  }
  return priority;
}

/** Referrer ids are picked by their OIDs, so their order and nesting depth do not matter. */
function readReferral(referral: PayloadNode): ReferralInformation | undefined {
  const effectiveTime = referral.optionalTimestamp('hl7:effectiveTime/@value');
  const agent = referral.first(AGENT, 'author/agentPersonSDS');
  const idOf = (oid: string) => agent?.optional(`.//hl7:id[@root="${oid}"]/@extension`);
  const author = withoutUndefined({
    sdsRoleProfileId: idOf(CAB_OID.sdsRoleProfile),
    sdsUserId: idOf(CAB_OID.sdsUser),
    odsCode: idOf(CAB_OID.sdsOrganisation),
  });
  const hasAuthor = Object.keys(author).length > 0;
  if (effectiveTime === undefined && !hasAuthor) return undefined;
  return { ...(effectiveTime !== undefined && { effectiveTime }), ...(hasAuthor && { author }) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
