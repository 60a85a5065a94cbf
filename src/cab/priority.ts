// PriorityType (OID.priority) codes, as C&B uses them on appointment slots.
export type SlotPriority = 'routine' | 'urgent' | 'two-week-wait';

export const PRIORITY_CODES: Readonly<Record<SlotPriority, string>> = {
  routine: '1',
  urgent: '2',
  'two-week-wait': '3',
};

export function priorityFromCode(code: string): SlotPriority | undefined {
  return (Object.keys(PRIORITY_CODES) as SlotPriority[]).find((word) => PRIORITY_CODES[word] === code);
}
