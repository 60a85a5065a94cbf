import { FINAL, INITIAL_STATE, MESSAGE_STATES } from './states.js';
import { TRANSITIONS } from './transitions.js';

/**
 * The lifecycle as a Mermaid stateDiagram-v2, edges in state order: docs/lifecycle.md embeds exactly
 * this text, and a test compares the two, so the document cannot drift from the code.
 */
export function lifecycleDiagram(): string {
  const lines = ['stateDiagram-v2'];
  lines.push(`    [*] --> ${INITIAL_STATE.outbound}: outbound, from the PAS`);
  lines.push(`    [*] --> ${INITIAL_STATE.inbound}: inbound, from Spine`);
  for (const from of MESSAGE_STATES)
    for (const to of MESSAGE_STATES) {
      const label = TRANSITIONS[to][from];
      if (label !== undefined) lines.push(`    ${from} --> ${to}: ${label}`);
    }
  for (const state of MESSAGE_STATES) if (FINAL.includes(state)) lines.push(`    ${state} --> [*]`);
  return `${lines.join('\n')}\n`;
}
