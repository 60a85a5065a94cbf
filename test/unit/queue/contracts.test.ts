import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import {
  encodeDeadLetterNotice,
  encodeOutboundWork,
  encodePasMessage,
  encodeReferralEvent,
  type PasMessage,
  parseDeadLetterNotice,
  parseOutboundWork,
  parsePasMessage,
  parseReferralEvent,
  publishDeadLetterNotice,
  publishReferralEvent,
  publishToPas,
  QUEUES,
  QueueContractError,
  queueOutboundRetry,
  queueOutboundWork,
  type ReferralEvent,
  referralEventId,
} from '../../../src/queue/index.js';
import { FakeBroker } from '../../support/fake-broker.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const message = { messageId: 'M-1', conversationId: 'C-1', interactionId: 'PRSC_IN100000UK06' };

const pasMessage: PasMessage = {
  kind: 'reply',
  interactionId: 'QUPC_IN160102UK05',
  messageId: 'R-1',
  conversationId: 'C-1',
  refToMessageId: 'M-1',
  receivedAt: '2026-03-01T09:00:00.000Z',
  data: { nhsNumber: '9000000009' },
  hl7: '<QUPC_IN160102UK05/>',
  attachments: [{ contentId: 'a@spine.nhs.uk', contentType: 'text/plain', base64: 'aGk=' }],
};

describe('the mhs.outbound work item', () => {
  it('carries only the message id, whatever the producer holds', async () => {
    const broker = new FakeBroker();
    await queueOutboundWork(broker, { ...message, status: 'ACCEPTED' } as typeof message, {
      requeuedBy: 'sweeper',
    });
    await queueOutboundRetry(broker, 5_000, message);
    expect(broker.published.map((p) => [p.queue, p.body.toString('utf8')])).toEqual([
      [QUEUES.outbound, '{"messageId":"M-1"}'],
      ['mhs.retry.5000', '{"messageId":"M-1"}'],
    ]);
    expect(broker.published[0]!.properties).toEqual({
      messageId: 'M-1',
      correlationId: 'C-1',
      type: 'PRSC_IN100000UK06',
      headers: { requeuedBy: 'sweeper' },
    });
    expect(broker.published[1]!.properties).not.toHaveProperty('headers');
    expect(parseOutboundWork(broker.published[1]!.body)).toEqual({ messageId: 'M-1' });
  });

  it('refuses a body without a message id, or one that is not JSON, saying which queue and why', () => {
    expect(() => parseOutboundWork(json({ messageId: '' }))).toThrow(
      /^malformed mhs\.outbound message: messageId: /,
    );
    expect(() => parseOutboundWork(json([]))).toThrow(/^malformed mhs\.outbound message: body: /);
    expect(() => parseOutboundWork(Buffer.from('{"messageId":'))).toThrow(QueueContractError);
    expect(() => parseOutboundWork(Buffer.from('{"messageId":'))).toThrow(/not JSON/);
  });

  it('round-trips through its encoder', () => {
    expect(parseOutboundWork(encodeOutboundWork({ messageId: 'X' }))).toEqual({ messageId: 'X' });
  });
});

describe('the mhs.inbound PAS message', () => {
  it('is read back as it was published, with properties a PAS can route by', async () => {
    const broker = new FakeBroker();
    await publishToPas(broker, { ...pasMessage, unmatched: true });
    const [published] = broker.published;
    expect(published!.queue).toBe(QUEUES.inbound);
    expect(published!.properties).toEqual({
      messageId: 'R-1',
      correlationId: 'C-1',
      type: 'QUPC_IN160102UK05',
      contentType: 'application/json',
      headers: { kind: 'reply', refToMessageId: 'M-1', unmatched: true },
    });
    expect(parsePasMessage(published!.body)).toEqual({ ...pasMessage, unmatched: true });
  });

  it('reads the body the README shows a PAS', () => {
    const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('reads the request from the RabbitMQ queue `mhs.inbound`'));
    const example = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(parsePasMessage(Buffer.from(example ?? ''))).toMatchObject({
      kind: 'request',
      interactionId: 'PRSC_IN080000UK07',
      attachments: [],
    });
  });

  it('accepts a message without HL7 or data (an unreadable payload parked for the PAS)', () => {
    const { hl7: _, data: __, ...bare } = pasMessage;
    expect(parsePasMessage(encodePasMessage({ ...bare, data: undefined }))).toMatchObject({ kind: 'reply' });
  });

  it('refuses an unknown kind and an attachment without content', () => {
    expect(() => parsePasMessage(json({ ...pasMessage, kind: 'notification' }))).toThrow(
      /^malformed mhs\.inbound message: kind: /,
    );
    expect(() =>
      parsePasMessage(json({ ...pasMessage, attachments: [{ contentId: 'a', contentType: 'text/plain' }] })),
    ).toThrow(/^malformed mhs\.inbound message: attachments\.0\.base64: /);
  });
});

describe('the mhs.dead-letter notice', () => {
  it('names the message and why, in the body and the reason header', async () => {
    const broker = new FakeBroker();
    await publishDeadLetterNotice(broker, { ...message, reason: 'retries exhausted' });
    const [published] = broker.published;
    expect(published!.queue).toBe(QUEUES.deadLetter);
    expect(published!.properties).toEqual({
      messageId: 'M-1',
      correlationId: 'C-1',
      type: 'PRSC_IN100000UK06',
      headers: { reason: 'retries exhausted' },
    });
    expect(JSON.parse(published!.body.toString('utf8'))).toEqual({
      messageId: 'M-1',
      reason: 'retries exhausted',
    });
    expect(parseDeadLetterNotice(published!.body)).toEqual({ messageId: 'M-1', reason: 'retries exhausted' });
  });

  it('refuses a notice without a reason', () => {
    expect(() => parseDeadLetterNotice(json({ messageId: 'M-1' }))).toThrow(
      /^malformed mhs\.dead-letter message: reason: /,
    );
    expect(parseDeadLetterNotice(encodeDeadLetterNotice({ messageId: 'M', reason: '' }))).toEqual({
      messageId: 'M',
      reason: '',
    });
  });
});

describe('the mhs.referrals event', () => {
  const changed: ReferralEvent = {
    kind: 'referral-changed',
    ubrn: '000049637528',
    service: '10001',
    list: 'REFERRALS_FOR_REVIEW',
    version: 5,
    previousVersion: 4,
    at: '2026-03-01T09:00:00.000Z',
    referral: { ubrn: '000049637528', version: 5 },
  };

  it('carries an id derived from what happened, so a republished event is dropped by the PAS', async () => {
    const broker = new FakeBroker();
    await publishReferralEvent(broker, changed);
    await publishReferralEvent(broker, changed);
    const ids = broker.published.map((p) => p.properties.messageId);
    expect(ids).toEqual(['referral-changed:000049637528:5:REFERRALS_FOR_REVIEW', ids[0]]);
    expect(broker.published[0]!.properties).toMatchObject({
      correlationId: '000049637528',
      type: 'referral-changed',
      headers: { kind: 'referral-changed', ubrn: '000049637528', service: '10001' },
    });
    expect(parseReferralEvent(broker.published[0]!.body)).toEqual(changed);
  });

  it('scopes an attachment event by the attachment, not the list', () => {
    const failed: ReferralEvent = {
      kind: 'attachment-failed',
      ubrn: '000049637528',
      service: '',
      version: 5,
      at: '2026-03-01T09:00:00.000Z',
      attachment: { id: 'att-1', title: 'letter.pdf', status: 'THREATS_FOUND' },
    };
    expect(referralEventId(failed)).toBe('attachment-failed:000049637528:5:att-1');
    expect(parseReferralEvent(encodeReferralEvent(failed))).toEqual(failed);
  });

  it('refuses an event of an unknown kind or without a whole version', () => {
    expect(() => parseReferralEvent(json({ ...changed, kind: 'referral-deleted' }))).toThrow(
      /^malformed mhs\.referrals message: kind: /,
    );
    expect(() => parseReferralEvent(json({ ...changed, version: '5' }))).toThrow(
      /^malformed mhs\.referrals message: version: /,
    );
  });
});
