import { createError } from '../errors/index.js';
import type { FhirClient } from './client.js';

export interface Concept {
  code: string;
  display?: string;
  usage?: string;
  commentIsMandatory?: boolean;
  effectiveFrom?: string;
  effectiveTo?: string;
}

/** The code systems A004 serves (STU3/CodeSystem/{type}). */
export const CODE_SYSTEMS = [
  'SPECIALTY',
  'CLINIC-TYPE',
  'APPOINTMENT-CANCELLATION-REASON',
  'REFERRAL-CANCELLATION-REASON',
  'APPOINTMENT-NON-ATTENDANCE-REASON',
  'PRIORITY',
] as const;
export type CodeSystemType = (typeof CODE_SYSTEMS)[number];

/** A004 failed. */
export class ReferenceDataError extends createError(
  'ERS_REFERENCE_DATA_UNREADABLE',
  502,
  'Unexpected answer from e-RS',
) {}

/** Reads a CodeSystem's concepts with the properties the PAS filters on. Pure. */
export function readConcepts(codeSystem: unknown): Concept[] {
  const concepts = (codeSystem as { concept?: unknown } | undefined)?.concept;
  if (!Array.isArray(concepts)) throw new ReferenceDataError('A004 answer has no concept list');
  return concepts.flatMap((concept) => {
    if (typeof concept?.code !== 'string') return [];
    const properties = Array.isArray(concept.property) ? (concept.property as Record<string, unknown>[]) : [];
    const property = (code: string) => properties.find((p) => p?.code === code);
    const usage = (property('usage')?.valueCoding as { code?: unknown } | undefined)?.code;
    const mandatory = property('commentIsMandatory')?.valueBoolean;
    const from = property('effectiveFrom')?.valueDateTime;
    const to = property('effectiveTo')?.valueDateTime;
    return [
      {
        code: concept.code,
        ...(typeof concept.display === 'string' ? { display: concept.display } : {}),
        ...(typeof usage === 'string' ? { usage } : {}),
        ...(typeof mandatory === 'boolean' ? { commentIsMandatory: mandatory } : {}),
        ...(typeof from === 'string' ? { effectiveFrom: from } : {}),
        ...(typeof to === 'string' ? { effectiveTo: to } : {}),
      },
    ];
  });
}

/** Concepts in force at `at` (effectiveFrom ≤ at < effectiveTo), optionally of one usage (REJECT, CANCEL). */
export function inForce(concepts: readonly Concept[], at: Date, usage?: string): Concept[] {
  const now = at.toISOString();
  return concepts.filter(
    (c) =>
      (!c.effectiveFrom || c.effectiveFrom <= now) &&
      (!c.effectiveTo || c.effectiveTo > now) &&
      (usage === undefined || c.usage === usage),
  );
}

/** A004 code systems, each fetched once per TTL (concurrent readers share one fetch). */
export class ReferenceData {
  private readonly cache = new Map<CodeSystemType, { at: number; concepts: Promise<Concept[]> }>();

  constructor(
    private readonly client: FhirClient,
    private readonly ttlMs: number,
  ) {}

  concepts(type: CodeSystemType): Promise<Concept[]> {
    const cached = this.cache.get(type);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.concepts;
    const concepts = this.fetch(type);
    this.cache.set(type, { at: Date.now(), concepts });
    concepts.catch(() => this.cache.delete(type));
    return concepts;
  }

  private async fetch(type: CodeSystemType): Promise<Concept[]> {
    const answer = await this.client.call({
      endpoint: 'A004',
      method: 'GET',
      path: `STU3/CodeSystem/${type}`,
    });
    if (answer.status !== 200) throw new ReferenceDataError(`A004 ${type} answered ${answer.status}`);
    return readConcepts(answer.json);
  }
}
