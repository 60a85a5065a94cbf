import type { Router } from 'express';
import { InvalidCursorError, messageCursor, type StoredMessage } from '../store/index.js';
import { type DashboardContext, param } from './context.js';
import { html } from './html.js';
import { SEARCH_LIMIT, SearchProblem, searchById, searchQuery } from './message-search.js';
import { messageContent } from './views/message.js';
import { type SearchForm, searchContent } from './views/messages.js';

/** Message search (paged, newest first) and one message's page with its history and conversation. */
export function addMessageRoutes(router: Router, { deps, render, view }: DashboardContext): void {
  router.get('/dashboard/messages', async (request, response) => {
    const form: SearchForm = {};
    for (const field of ['id', 'interaction', 'status', 'direction', 'from', 'to'] as const) {
      const value = param(request, field);
      if (value) form[field] = value;
    }
    const state = await deps.state.read().catch(() => undefined);
    const interactions = [...new Set((state?.counts ?? []).map((c) => c.interactionId))].sort();
    let results: StoredMessage[] = [];
    let problem: string | undefined;
    let more: string | undefined;
    try {
      const query = searchQuery(form, param(request, 'before'));
      results = await searchById(deps.store, query, form.id);
      const last = results.at(-1);
      if (last && results.length === SEARCH_LIMIT) {
        const next = new URLSearchParams({ ...form, before: messageCursor(last) });
        more = `/dashboard/messages?${next}`;
      }
    } catch (error) {
      if (!(error instanceof SearchProblem || error instanceof InvalidCursorError)) throw error;
      problem = error.message;
      response.status(400);
    }
    render(
      response,
      'messages',
      'Messages',
      searchContent(form, results, view, {
        interactions,
        ...(more ? { more } : {}),
        ...(problem ? { problem } : {}),
      }),
    );
  });

  router.get('/dashboard/messages/:messageId', async (request, response) => {
    const messageId = String(request.params.messageId);
    const message = await deps.store.get(messageId);
    if (!message) {
      response.status(404);
      return render(
        response,
        'messages',
        'Unknown message',
        html`<div class="page-head"><h1>Unknown message</h1></div><p class="problem">No message ${messageId} is stored (it may have been purged by retention).</p>`,
      );
    }
    const [history, conversation, answered] = await Promise.all([
      deps.store.history(messageId),
      deps.store.search({ conversationId: message.conversationId, limit: 100 }),
      message.refToMessageId ? deps.store.get(message.refToMessageId) : Promise.resolve(undefined),
    ]);
    const chain = [...conversation];
    if (answered && !chain.some((m) => m.messageId === answered.messageId)) chain.push(answered);
    if (!chain.some((m) => m.messageId === message.messageId)) chain.push(message);
    chain.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.messageId.localeCompare(b.messageId));
    return render(response, 'messages', messageId, messageContent({ message, history, chain }, view));
  });
}
