// Signed means covered by the signature (issue 13): XML signature wrapping, signals and signers
// bound to the TLS client, and the caps on what a signature may make us process. Every attack
// runs against the real gateway (startHarness): mutual TLS, the store and RabbitMQ.
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTOR_NEXT_MSH,
  buildAcknowledgment,
  buildMessageError,
  formatTimestamp,
  type HttpMessage,
  type MessageHeader,
  PARTY_TYPE,
  parseMessage,
} from '../../src/ebxml/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { loadRouteTable, type RouteTable } from '../../src/routing/index.js';
import { devPkiPaths } from '../../src/security/pki/index.js';
import { loadTls } from '../../src/security/tls/index.js';
import { type SigningIdentity, signEnvelope } from '../../src/security/xmldsig/index.js';
import {
  eventually,
  getJson,
  type Harness,
  postJson,
  putFaults,
  sendInbound,
  startHarness,
  waitForStatus,
} from '../e2e/harness.js';
import { businessMessage, OUR_PARTY, SPINE_PARTY, slotPollHl7, slotPollMessage } from './messages.js';

const ERS_PARTY = 'X26-9199246';
const NEXT_MSH = `SOAP:actor="${ACTOR_NEXT_MSH}"`;

/** What the gateway answered, read as an ebXML message. */
async function answerTo(h: Harness, message: HttpMessage) {
  const answer = await sendInbound(h, message);
  expect(answer.status, answer.body.toString('utf8')).toBe(200);
  return parseMessage(answer.contentType, answer.body);
}

/** `fragment` placed first in the SOAP Header of the (MIME) message: a block an attacker adds. */
function prependToHeader(message: HttpMessage, fragment: string): HttpMessage {
  const text = message.body.toString('latin1');
  const at = text.indexOf('<SOAP:Header>');
  if (at < 0) throw new Error('no SOAP:Header in the message');
  const end = at + '<SOAP:Header>'.length;
  return { ...message, body: Buffer.from(text.slice(0, end) + fragment + text.slice(end), 'latin1') };
}

/** A MIME part the manifest does not name, added before the closing delimiter. */
function addUnnamedPart(message: HttpMessage): HttpMessage {
  const boundary = /boundary="?([^";]+)"?/.exec(message.contentType)?.[1];
  if (!boundary) throw new Error('not a multipart message');
  const text = message.body.toString('latin1');
  const closing = text.lastIndexOf(`--${boundary}--`);
  const part = `--${boundary}\r\nContent-Id: <smuggled@attacker.example>\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\nnot covered by any reference\r\n`;
  return { ...message, body: Buffer.from(text.slice(0, closing) + part + text.slice(closing), 'latin1') };
}

function forgedHeader(messageId: string, from = SPINE_PARTY): string {
  return `<eb:MessageHeader ${NEXT_MSH} SOAP:mustUnderstand="1" eb:version="2.0"><eb:From><eb:PartyId eb:type="${PARTY_TYPE}">${from}</eb:PartyId></eb:From><eb:To><eb:PartyId eb:type="${PARTY_TYPE}">${OUR_PARTY}</eb:PartyId></eb:To><eb:CPAId>S918999714114</eb:CPAId><eb:ConversationId>${randomUUID().toUpperCase()}</eb:ConversationId><eb:Service>urn:nhs:names:services:ebs</eb:Service><eb:Action>PRSC_IN080000UK07</eb:Action><eb:MessageData><eb:MessageId>${messageId}</eb:MessageId><eb:Timestamp>${formatTimestamp(new Date())}</eb:Timestamp></eb:MessageData><eb:DuplicateElimination/></eb:MessageHeader>`;
}

function forgedAck(refToMessageId: string): string {
  return `<eb:Acknowledgment ${NEXT_MSH} SOAP:mustUnderstand="1" eb:version="2.0"><eb:Timestamp>${formatTimestamp(new Date())}</eb:Timestamp><eb:RefToMessageId>${refToMessageId}</eb:RefToMessageId></eb:Acknowledgment>`;
}

function forgedErrorList(actor: string): string {
  return `<eb:ErrorList ${actor} SOAP:mustUnderstand="1" eb:version="2.0" eb:highestSeverity="Error"><eb:Error eb:errorCode="DeliveryFailure" eb:severity="Error"><eb:Description xml:lang="en-GB">forged</eb:Description></eb:Error></eb:ErrorList>`;
}

/** The header of a message the gateway sent (`messageId`), as the party answering it sees it. */
function answeredHeader(messageId: string, from: string): MessageHeader {
  return {
    from: { id: OUR_PARTY, type: PARTY_TYPE },
    to: { id: from, type: PARTY_TYPE },
    cpaId: 'S20001A000182',
    conversationId: randomUUID().toUpperCase(),
    service: 'urn:nhs:names:services:psis',
    action: 'REPC_IN150016UK05',
    messageId,
    timestamp: formatTimestamp(new Date()),
  };
}

const signalContext = (from: string) => ({
  ourParty: { id: from, type: PARTY_TYPE },
  messageId: randomUUID().toUpperCase(),
  timestamp: formatTimestamp(new Date()),
});

/** Signs an ebXML signal (no parts) as `identity`. */
function signed(message: HttpMessage, identity: SigningIdentity): HttpMessage {
  return { ...message, body: Buffer.from(signEnvelope(message.body.toString('utf8'), [], identity)) };
}

/**
 * An outbound GP summary (REPC_IN150016UK05, to Spine YES-0000806) left waiting for its
 * acknowledgment: the simulator holds its signals back, so only a forged signal could move it.
 */
async function messageAwaitingAck(h: Harness): Promise<string> {
  const messageId = randomUUID().toUpperCase();
  const payload = wrapPayload(
    {
      interactionId: 'REPC_IN150016UK05',
      messageId,
      creationTime: new Date(),
      toAsid: '928942012545',
      fromAsid: h.config.asid,
    },
    undefined,
  );
  const response = await postJson(
    `${h.api}/`,
    { payload },
    { 'Interaction-Id': 'REPC_IN150016UK05', 'wait-for-response': 'false', 'Message-Id': messageId },
  );
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  await waitForStatus(h.api, messageId, 'SENT');
  return messageId;
}

const statusOf = async (h: Harness, messageId: string) =>
  (await getJson(`${h.api}/messages/${messageId}`)).body.status;

function identityFrom(pki: ReturnType<typeof devPkiPaths>, which: 'simulator' | 'gateway'): SigningIdentity {
  const files =
    which === 'simulator'
      ? { cert: pki.simulatorCert, key: pki.simulatorKey, ca: pki.caCert }
      : { cert: pki.gatewayCert, key: pki.gatewayKey, ca: pki.caCert };
  const tls = loadTls(files);
  return { privateKey: tls.privateKey, certificate: tls.certificate };
}

describe('signed means covered by the signature (requireSignature on)', () => {
  let h: Harness;
  let routes: RouteTable;
  /** The simulator's certificate: the TLS client sendInbound uses. */
  let simulator: SigningIdentity;
  /** Issued by the same CA, but not the TLS client's certificate. */
  let gatewayCert: SigningIdentity;

  beforeAll(async () => {
    h = await startHarness({ env: { MHS_INBOUND_REQUIRE_SIGNATURE: 'true' } });
    routes = loadRouteTable(h.config.interactionsFile, h.config.routesFile);
    const pki = devPkiPaths(join(h.dir, 'pki'));
    simulator = identityFrom(pki, 'simulator');
    gatewayCert = identityFrom(pki, 'gateway');
    // Signals for what the gateway sends are held back for the whole run.
    await putFaults(h, { dropAcks: true, delayMs: 600_000 });
  });
  afterAll(() => h?.close());

  it('refuses a captured signed message replayed under a forged, actor-carrying MessageHeader', async () => {
    const captured = slotPollMessage(routes, { identity: simulator });
    expect((await answerTo(h, captured)).kind).toBe('acknowledgment');
    const replayId = randomUUID().toUpperCase();
    const answer = await answerTo(h, prependToHeader(captured, forgedHeader(replayId)));
    expect(answer.kind).toBe('error');
    expect(answer.errors?.[0]).toMatchObject({
      errorCode: 'Inconsistent',
      description: 'the envelope has 2 eb:MessageHeader elements; at most one is allowed',
    });
    // Nothing was stored (or delivered) under the forged MessageId.
    expect((await getJson(`${h.api}/messages/${replayId}`)).status).toBe(404);
  });

  it('refuses an unsigned Acknowledgment added to a signed message; the message stays SENT', async () => {
    const victim = await messageAwaitingAck(h);
    const captured = slotPollMessage(routes, { identity: simulator });
    const answer = await answerTo(h, prependToHeader(captured, forgedAck(victim)));
    expect(answer.kind).toBe('error');
    expect(answer.errors?.[0]).toMatchObject({
      errorCode: 'SecurityFailure',
      description:
        'signature not valid: eb:Acknowledgment is not covered by the signature (it carries a next-MSH SOAP actor)',
    });
    expect(await statusOf(h, victim)).toBe('SENT');
  });

  it('refuses a forged Acknowledgment placed before the signed one', async () => {
    const victim = await messageAwaitingAck(h);
    const genuine = signed(
      buildAcknowledgment(
        answeredHeader(randomUUID().toUpperCase(), SPINE_PARTY),
        undefined,
        signalContext(SPINE_PARTY),
      ),
      simulator,
    );
    const answer = await answerTo(h, prependToHeader(genuine, forgedAck(victim)));
    expect(answer.errors?.[0]).toMatchObject({
      errorCode: 'Inconsistent',
      description: 'the envelope has 2 eb:Acknowledgment elements; at most one is allowed',
    });
    expect(await statusOf(h, victim)).toBe('SENT');
  });

  it('refuses a forged ErrorList with an actor (and a second ErrorList); the message stays SENT', async () => {
    const victim = await messageAwaitingAck(h);
    const captured = signed(
      buildAcknowledgment(answeredHeader(victim, SPINE_PARTY), undefined, signalContext(SPINE_PARTY)),
      simulator,
    );
    // A genuine signed Acknowledgment of `victim` with a forged ErrorList in front would NACK it instead.
    const withErrorList = prependToHeader(captured, forgedErrorList(NEXT_MSH));
    const answer = await answerTo(h, withErrorList);
    expect(answer.errors?.[0]).toMatchObject({
      errorCode: 'Inconsistent',
      description: `eb:ErrorList must not carry a SOAP actor (found "${ACTOR_NEXT_MSH}")`,
    });
    const genuineError = signed(
      buildMessageError(
        answeredHeader(randomUUID().toUpperCase(), SPINE_PARTY),
        [{ errorCode: 'DeliveryFailure', severity: 'Error', description: 'genuine' }],
        signalContext(SPINE_PARTY),
      ),
      simulator,
    );
    const twoLists = await answerTo(h, prependToHeader(genuineError, forgedErrorList('')));
    expect(twoLists.errors?.[0]).toMatchObject({
      errorCode: 'Inconsistent',
      description: 'the envelope has 2 eb:ErrorList elements; at most one is allowed',
    });
    expect(await statusOf(h, victim)).toBe('SENT');
  });

  it('refuses a MIME part no reference covers, instead of passing it to the PAS', async () => {
    const captured = businessMessage(routes, {
      action: 'PRSC_IN080000UK07',
      messageId: randomUUID().toUpperCase(),
      conversationId: randomUUID().toUpperCase(),
      to: OUR_PARTY,
      hl7: (id) => slotPollHl7(id, new Date()),
      attachments: [{ bytes: Buffer.from('signed attachment'), base64: false }],
      identity: simulator,
      now: new Date(),
    });
    const answer = await answerTo(h, addUnnamedPart(captured));
    expect(answer.errors?.[0]).toMatchObject({
      errorCode: 'SecurityFailure',
      description:
        'signature not valid: MIME part <smuggled@attacker.example> is not in the manifest, so no reference covers it',
    });
  });

  it('refuses a signature by a certificate the CA issued that is not the TLS client’s own', async () => {
    const answer = await answerTo(h, slotPollMessage(routes, { identity: gatewayCert }));
    expect(answer.kind).toBe('error');
    expect(answer.errors?.[0]?.errorCode).toBe('SecurityFailure');
    expect(answer.errors?.[0]?.description).toMatch(
      /^signature not valid: the signer certificate \(SHA-256 [0-9A-F:]{95}\) is neither the TLS client's own certificate nor one configured for it$/,
    );
  });

  it('caps the header blocks a signature may leave out, with a MessageError naming the cap', async () => {
    const blocks = Array.from({ length: 17 }, (_, i) => `<x:Hop xmlns:x="urn:hop" ${NEXT_MSH}>${i}</x:Hop>`);
    const captured = slotPollMessage(routes, { identity: simulator });
    const answer = await answerTo(h, prependToHeader(captured, blocks.join('')));
    expect(answer.errors?.[0]).toMatchObject({
      errorCode: 'SecurityFailure',
      // 17 added plus the message's own AckRequested.
      description:
        'signature not valid: 18 elements carry a next-MSH SOAP actor the signature leaves out; at most 16 are allowed',
    });
  });

  it('refuses a small envelope whose namespaces would make C14N quadratic, before any C14N', async () => {
    // 54 KB: 2,000 declarations over 2,000 elements cost libxml2's inclusive C14N 29 s of CPU.
    const decls = Array.from({ length: 2000 }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join('');
    const captured = slotPollMessage(routes, { identity: simulator });
    const text = captured.body.toString('latin1');
    const bomb = text.replace(
      '<SOAP:Body>',
      `<SOAP:Body><q:Bulk xmlns:q="urn:q"${decls}>${'<q:a/>'.repeat(2000)}</q:Bulk>`,
    );
    const answer = await answerTo(h, { ...captured, body: Buffer.from(bomb, 'latin1') });
    expect(answer.errors?.[0]?.errorCode).toBe('SecurityFailure');
    expect(answer.errors?.[0]?.description).toMatch(
      /^signature not valid: the envelope declares 20\d\d namespaces; at most 32 are allowed in a signed message$/,
    );
  });
});

describe('signals and signers are bound to the TLS client', () => {
  let h: Harness;
  let routes: RouteTable;
  let gatewayCert: SigningIdentity;

  beforeAll(async () => {
    h = await startHarness({
      envFromPki: (pki) => ({
        // The simulator's certificate speaks for e-RS only, and may also sign with the gateway's.
        MHS_INBOUND_ALLOWED_CLIENTS: JSON.stringify([
          {
            fingerprint256: new X509Certificate(readFileSync(pki.simulatorCert)).fingerprint256,
            parties: [ERS_PARTY],
            signers: [new X509Certificate(readFileSync(pki.gatewayCert)).fingerprint256],
          },
        ]),
      }),
    });
    routes = loadRouteTable(h.config.interactionsFile, h.config.routesFile);
    const pki = devPkiPaths(join(h.dir, 'pki'));
    gatewayCert = identityFrom(pki, 'gateway');
    await putFaults(h, { dropAcks: true, delayMs: 600_000 });
  });
  afterAll(() => h?.close());

  it('refuses an Acknowledgment for a message sent to a party the client may not speak for', async () => {
    const victim = await messageAwaitingAck(h); // sent to Spine, YES-0000806
    const ack = buildAcknowledgment(answeredHeader(victim, ERS_PARTY), undefined, signalContext(ERS_PARTY));
    const answer = await answerTo(h, ack);
    expect(answer.errors?.[0]).toMatchObject({
      errorCode: 'SecurityFailure',
      description: `the client certificate may not acknowledge message ${victim}, which was sent to party YES-0000806`,
    });
    expect(await statusOf(h, victim)).toBe('SENT');
  });

  it('ignores a MessageError for a message sent to a party the client may not speak for', async () => {
    const victim = await messageAwaitingAck(h);
    const error = buildMessageError(
      answeredHeader(victim, ERS_PARTY),
      [{ errorCode: 'DeliveryFailure', severity: 'Error', description: 'forged' }],
      signalContext(ERS_PARTY),
    );
    const answer = await sendInbound(h, error);
    // A MessageError is never answered with another; it simply changes nothing.
    expect(answer.status).toBe(202);
    // Before the fix the NACK landed within milliseconds of the 202.
    expect(await eventually(async () => (await statusOf(h, victim)) === 'NACKED', 1_500)).toBeUndefined();
    expect(await statusOf(h, victim)).toBe('SENT');
  });

  it('accepts a signature by a certificate configured for the client', async () => {
    const poll = businessMessage(routes, {
      action: 'PRSC_IN080000UK07',
      from: ERS_PARTY,
      messageId: randomUUID().toUpperCase(),
      conversationId: randomUUID().toUpperCase(),
      to: OUR_PARTY,
      hl7: (id) => slotPollHl7(id, new Date()),
      attachments: [],
      identity: gatewayCert,
      now: new Date(),
    });
    expect((await answerTo(h, poll)).kind).toBe('acknowledgment');
  });
});
