// The control API for the simulated e-RS (/control/ers…, docs/ers-fhir.md): its state, new referrals
// and A&G requests, locks, worklist changes, file scans, faults and token expiry. A route table,
// matched in order; anything else below /control/ers is 404.
import type http from 'node:http';
import type { AdviceInput } from './advice.js';
import type { ErsFault, ErsFaults } from './faults.js';
import { json, parseJson } from './http.js';
import type { ObjectStore } from './object-store.js';
import { type Availability, availabilityOf, type SimAttachment } from './resources.js';
import type { ErsState, ReferralInput } from './state.js';
import type { TokenEndpoint } from './token-endpoint.js';

/** What the control API reads and changes. */
export interface ErsControlled {
  state: ErsState;
  faults: ErsFaults;
  tokens: TokenEndpoint;
  objectStore: ObjectStore;
  calls: ReadonlyMap<string, number>;
  lastRequest: unknown;
}

interface ControlRoute {
  method: 'GET' | 'PUT' | 'POST';
  path: RegExp;
  /** Answers with status and JSON body; `match` is the path's match, `body` its JSON (or undefined). */
  handle(match: RegExpExecArray, body: () => unknown): [number, unknown];
}

const notFound = (detail: string): [number, unknown] => [404, { title: 'Not found', detail }];

/** A new referral or A&G request as the control API reports it: its UBRN, version and files. */
function created(item: { ubrn: string; version: number; attachments: SimAttachment[] }) {
  return {
    ubrn: item.ubrn,
    version: item.version,
    attachments: item.attachments.map((a) => ({
      id: a.id,
      binaryId: a.binaryId,
      size: a.content.byteLength,
    })),
  };
}

function overview(ers: ErsControlled) {
  const { state } = ers;
  return {
    referrals: [...state.referrals.values()].map((r) => ({
      ubrn: r.ubrn,
      version: r.version,
      list: r.list,
      state: r.state,
      locked: r.locked,
      service: r.service.id,
      attachments: r.attachments.map((a) => ({
        id: a.id,
        binaryId: a.binaryId,
        availability: availabilityOf(a, Date.now()),
        size: a.content.byteLength,
      })),
    })),
    advice: [...state.advice.requests.values()].map((a) => ({
      ubrn: a.ubrn,
      version: a.version,
      category: a.category,
      status: a.status,
      locked: a.locked,
      messages: a.messages.length,
      attachments: a.attachments.map((f) => ({ id: f.id, binaryId: f.binaryId })),
    })),
    calls: Object.fromEntries(ers.calls),
    tokensIssued: ers.tokens.issued.length,
    objectStoreAuthRefusals: ers.objectStore.authRefusals,
    lastRequest: ers.lastRequest,
    faults: ers.faults.current,
  };
}

function routes(ers: ErsControlled): ControlRoute[] {
  const { state } = ers;
  return [
    { method: 'GET', path: /^\/control\/ers$/, handle: () => [200, overview(ers)] },
    {
      method: 'POST',
      path: /^\/control\/ers\/referrals$/,
      handle: (_m, body) => [201, created(state.addReferral((body() ?? {}) as ReferralInput))],
    },
    {
      method: 'POST',
      path: /^\/control\/ers\/user-session$/,
      handle: () => [201, ers.tokens.userSession()],
    },
    {
      method: 'POST',
      path: /^\/control\/ers\/advice$/,
      handle: (_m, body) => [201, created(state.advice.add((body() ?? {}) as AdviceInput))],
    },
    {
      method: 'POST',
      path: /^\/control\/ers\/advice\/([0-9]{12})\/(lock|unlock)$/,
      handle: ([, ubrn, action]) => {
        const advice = state.advice.requests.get(ubrn!);
        if (!advice) return notFound(`no request ${ubrn}`);
        advice.locked = action === 'lock';
        return [200, { ubrn: advice.ubrn, version: advice.version, locked: advice.locked }];
      },
    },
    {
      method: 'POST',
      path: /^\/control\/ers\/referrals\/([0-9]{12})\/(change|leave|lock|unlock)$/,
      handle: ([, ubrn, action], body) => {
        const referral = state.referrals.get(ubrn!);
        if (!referral) return notFound(`no referral ${ubrn}`);
        const input = (body() ?? {}) as { priority?: string };
        if (action === 'change') {
          referral.priority = input.priority ?? (referral.priority === 'URGENT' ? 'ROUTINE' : 'URGENT');
          referral.version += 1;
        } else if (action === 'leave') {
          referral.list = null;
          referral.version += 1;
        } else referral.locked = action === 'lock';
        const { version, list, locked } = referral;
        return [200, { ubrn, version, list, locked }];
      },
    },
    {
      method: 'POST',
      path: /^\/control\/ers\/attachments\/([0-9a-f-]{36})$/,
      handle: ([, binaryId], body) => {
        const attachment = state.allAttachments().find((a) => a.binaryId === binaryId);
        if (!attachment) return notFound(`no attachment ${binaryId}`);
        const input = (body() ?? {}) as { availability?: Availability };
        attachment.availability = input.availability ?? 'AVAILABLE';
        delete attachment.availableAt;
        return [200, { binaryId: attachment.binaryId, availability: attachment.availability }];
      },
    },
    {
      method: 'PUT',
      path: /^\/control\/ers\/faults$/,
      handle: (_m, body) => {
        const input = body();
        ers.faults.replace((Array.isArray(input) ? input : [input]).filter(Boolean) as ErsFault[]);
        return [200, { faults: ers.faults.current }];
      },
    },
    // Every token issued so far stops working now, as if it had expired early.
    {
      method: 'POST',
      path: /^\/control\/ers\/tokens\/expire$/,
      handle: () => [200, { expired: ers.tokens.expireAll() }],
    },
    {
      method: 'PUT',
      path: /^\/control\/ers\/token-lifetime$/,
      handle: (_m, body) => {
        const input = (body() ?? {}) as { seconds?: number };
        if (typeof input.seconds === 'number' && input.seconds > 0)
          ers.tokens.lifetimeSeconds = input.seconds;
        return [200, { seconds: ers.tokens.lifetimeSeconds }];
      },
    },
  ];
}

/** Answers a request below /control/ers. */
export async function controlErs(
  ers: ErsControlled,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  path: string,
  body: () => Promise<Buffer>,
): Promise<void> {
  for (const route of routes(ers)) {
    const match = request.method === route.method ? route.path.exec(path) : null;
    if (!match) continue;
    const parsed = parseJson(await body());
    const [status, answer] = route.handle(match, () => parsed);
    return json(response, status, answer);
  }
  json(response, 404, { title: 'Not found', detail: `${request.method} ${path}` });
}
