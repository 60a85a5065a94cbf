import { MESSAGE_STATES } from '../lifecycle/index.js';
import type { MessageQuery, MessageState, MessageStore, StoredMessage } from '../store/index.js';
import type { SearchForm } from './views/messages.js';

/** How many messages one page of search results shows. */
export const SEARCH_LIMIT = 50;

/** A search form the store cannot answer (an unknown state, a time that is not one): a 400. */
export class SearchProblem extends Error {}

/** The store query a search form asks for, one page, older than `before` when paging on. */
export function searchQuery(form: SearchForm, before: string | undefined): MessageQuery {
  const query: MessageQuery = { limit: SEARCH_LIMIT };
  if (form.interaction) query.interactionId = form.interaction;
  if (form.status) {
    if (!(MESSAGE_STATES as readonly string[]).includes(form.status))
      throw new SearchProblem(`state ${form.status} is not a message state`);
    query.status = form.status as MessageState;
  }
  if (form.direction) {
    if (form.direction !== 'outbound' && form.direction !== 'inbound')
      throw new SearchProblem('direction must be outbound or inbound');
    query.direction = form.direction;
  }
  if (form.from) query.from = utc(form.from, 'From');
  if (form.to) query.to = utc(form.to, 'To');
  if (before) query.before = before;
  return query;
}

/**
 * A time typed as `YYYY-MM-DD HH:MM[:SS]` (or with `T`, or a date alone) is read as UTC, like every
 * time the dashboard shows; an explicit zone is honoured.
 */
function utc(value: string, label: string): Date {
  const match =
    /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
  const date = match ? new Date(`${match[1]}T${match[2] ?? '00:00'}${match[3] ?? 'Z'}`) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new SearchProblem(`${label} ${value} is not a UTC date and time like 2026-11-22 10:00:00`);
  return date;
}

/** An id box matches a MessageId first, then a ConversationId (either as typed or in upper case). */
export async function searchById(
  store: Pick<MessageStore, 'search'>,
  query: MessageQuery,
  id: string | undefined,
): Promise<StoredMessage[]> {
  if (!id) return store.search(query);
  const candidates = [...new Set([id, id.toUpperCase()])];
  for (const field of ['messageId', 'conversationId'] as const) {
    for (const candidate of candidates) {
      const found = await store.search({ ...query, [field]: candidate });
      if (found.length > 0) return found;
    }
  }
  return [];
}
