/** What e-RS said went wrong: its eRS-APIErrorCode-1 code and diagnostics, from an OperationOutcome. */
export interface ErsError {
  code?: string;
  diagnostics?: string;
}

const ERROR_CODE_SYSTEM = /\/CodeSystem\/(eRS-APIErrorCode-1|ers-error-codes)$/;

/**
 * Reads the first issue of an STU3 or R4 OperationOutcome. A body that is empty (a 429 from the
 * API platform has none) or not an OperationOutcome gives no code.
 */
export function readOperationOutcome(body: unknown): ErsError {
  if (
    !body ||
    typeof body !== 'object' ||
    (body as { resourceType?: unknown }).resourceType !== 'OperationOutcome'
  )
    return {};
  const issues = (body as { issue?: unknown }).issue;
  if (!Array.isArray(issues)) return {};
  for (const issue of issues) {
    if (!issue || typeof issue !== 'object') continue;
    const codings = (issue as { details?: { coding?: unknown } }).details?.coding;
    const coding = Array.isArray(codings)
      ? (codings as { system?: unknown; code?: unknown }[]).find(
          (c) =>
            typeof c?.system === 'string' && ERROR_CODE_SYSTEM.test(c.system) && typeof c.code === 'string',
        )
      : undefined;
    const diagnostics = (issue as { diagnostics?: unknown }).diagnostics;
    return {
      ...(coding ? { code: coding.code as string } : {}),
      ...(typeof diagnostics === 'string' ? { diagnostics: diagnostics.slice(0, 1000) } : {}),
    };
  }
  return {};
}

/** W/"7" → 7; undefined for anything else. */
export function versionFromEtag(etag: string | null | undefined): number | undefined {
  const match = /^W\/"(\d{1,9})"$/.exec(etag ?? '');
  return match ? Number(match[1]) : undefined;
}
