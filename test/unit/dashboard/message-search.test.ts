import { describe, expect, it } from 'vitest';
import {
  SEARCH_LIMIT,
  SearchProblem,
  searchById,
  searchQuery,
} from '../../../src/dashboard/message-search.js';
import type { MessageQuery, StoredMessage } from '../../../src/store/index.js';

describe('dashboard message search: the form read as a store query', () => {
  it('reads times as UTC unless a zone is given, and keeps the page cursor', () => {
    const query = searchQuery(
      {
        interaction: 'PRSC_IN090000UK09',
        status: 'FAILED',
        from: '2026-11-22 10:00',
        to: '2026-11-23T00:00+01:00',
      },
      'CURSOR',
    );
    expect(query).toEqual({
      limit: SEARCH_LIMIT,
      interactionId: 'PRSC_IN090000UK09',
      status: 'FAILED',
      from: new Date('2026-11-22T10:00:00Z'),
      to: new Date('2026-11-22T23:00:00Z'),
      before: 'CURSOR',
    });
  });

  it('refuses an unknown state, direction or time with a problem that says which', () => {
    expect(() => searchQuery({ status: 'LOST' }, undefined)).toThrow(SearchProblem);
    expect(() => searchQuery({ direction: 'sideways' }, undefined)).toThrow('direction must be');
    expect(() => searchQuery({ from: 'yesterday' }, undefined)).toThrow('From yesterday is not a UTC date');
  });

  it('matches the id box as a MessageId first, then a ConversationId, in upper case too', async () => {
    const asked: MessageQuery[] = [];
    const found = { messageId: 'M1' } as StoredMessage;
    const store = {
      search: async (query: MessageQuery) => {
        asked.push(query);
        return query.conversationId === 'ABC' ? [found] : [];
      },
    };
    expect(await searchById(store, { limit: 5 }, 'abc')).toEqual([found]);
    expect(asked.map(({ limit: _, ...by }) => by)).toEqual([
      { messageId: 'abc' },
      { messageId: 'ABC' },
      { conversationId: 'abc' },
      { conversationId: 'ABC' },
    ]);
  });
});
