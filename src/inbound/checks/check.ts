import type { EbxmlError } from '../../ebxml/index.js';

/** One rule a received message must keep: the ebXML error it breaks, or undefined when it keeps it. */
export type Check<Subject> = (subject: Subject) => EbxmlError | undefined;

/** Runs `checks` in their order; the first error is the one the sender is told. */
export function firstProblem<Subject>(
  checks: readonly Check<Subject>[],
  subject: Subject,
): EbxmlError | undefined {
  for (const check of checks) {
    const problem = check(subject);
    if (problem) return problem;
  }
  return undefined;
}
