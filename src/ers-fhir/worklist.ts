// A008 (POST STU3/ReferralRequest/$ers.fetchworklist): the request we send, the List we read back,
// and the difference between two runs. Pure.
import { createError } from '../errors/index.js';
import type { WorklistEntry } from '../store/index.js';

export const WORKLISTS = ['REFERRALS_FOR_REVIEW', 'APPOINTMENT_SLOT_ISSUES'] as const;
export type WorklistName = (typeof WORKLISTS)[number];

export function fetchWorklistParameters(list: WorklistName, service: string): unknown {
  return {
    resourceType: 'Parameters',
    meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/eRS-FetchWorklist-Parameters-1'] },
    parameter: [
      {
        name: 'listType',
        valueCodeableConcept: {
          coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-ReferralListSelector-1', code: list }],
        },
      },
      { name: 'service', valueIdentifier: { system: 'http://fhir.nhs.net/Id/ers-service', value: service } },
    ],
  };
}

/** Thrown when the answer is not a worklist List we can read. */
export class WorklistShapeError extends createError(
  'ERS_WORKLIST_UNREADABLE',
  502,
  'Unexpected answer from e-RS',
) {}

/**
 * Each entry's UBRN (item.reference ReferralRequest/{ubrn}) and referralRequestVersion (the
 * worklist item extension's part). An entry without both is an error: diffing without a version
 * would fetch every referral every run.
 */
export function readWorklist(list: unknown): WorklistEntry[] {
  if (!list || typeof list !== 'object' || (list as { resourceType?: unknown }).resourceType !== 'List')
    throw new WorklistShapeError('A008 answer is not a List');
  const entries = (list as { entry?: unknown }).entry;
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new WorklistShapeError('List.entry is not an array');
  const out = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const reference = (entry as { item?: { reference?: unknown } })?.item?.reference;
    const ubrn =
      typeof reference === 'string'
        ? /^ReferralRequest\/([0-9A-Za-z-]{1,40})$/.exec(reference)?.[1]
        : undefined;
    const parts = (
      (entry as { extension?: unknown }).extension as { extension?: unknown }[] | undefined
    )?.flatMap((e) =>
      Array.isArray(e?.extension) ? (e.extension as { url?: unknown; valueInteger?: unknown }[]) : [],
    );
    const version = parts?.find((p) => p?.url === 'referralRequestVersion')?.valueInteger;
    if (!ubrn || typeof version !== 'number' || !Number.isInteger(version))
      throw new WorklistShapeError(
        `List.entry[${index}] has no ReferralRequest reference or referralRequestVersion`,
      );
    out.set(ubrn, version);
  }
  return [...out].map(([ubrn, version]) => ({ ubrn, version }));
}

export interface WorklistDiff {
  added: WorklistEntry[];
  /** On both lists with a different version: `previous` is the one we held. */
  changed: (WorklistEntry & { previous: number })[];
  removed: WorklistEntry[];
}

export function diffWorklists(
  previous: readonly WorklistEntry[],
  current: readonly WorklistEntry[],
): WorklistDiff {
  const before = new Map(previous.map((e) => [e.ubrn, e.version]));
  const now = new Set(current.map((e) => e.ubrn));
  const added: WorklistEntry[] = [];
  const changed: WorklistDiff['changed'] = [];
  for (const entry of current) {
    const held = before.get(entry.ubrn);
    if (held === undefined) added.push(entry);
    else if (held !== entry.version) changed.push({ ...entry, previous: held });
  }
  const removed = previous.filter((e) => !now.has(e.ubrn));
  return { added, changed, removed };
}
