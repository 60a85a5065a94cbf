// Each check the inbound pipeline runs, on its own: a table of messages and the ebXML error code
// the check answers (undefined: the message keeps the rule).
import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MessageHeader,
  MSH_SERVICE,
  type ParsedMessage,
  parseMessage,
  type ReadEnvelope,
} from '../../../src/ebxml/index.js';
import {
  actionInService,
  actionKnown,
  addressedToUs,
  type Check,
  cpaIdKnown,
  envelopeMatchesSchema,
  everyPartInManifest,
  firstProblem,
  HEADER_CHECKS,
  messageChecks,
  mshActionSupported,
  type Received,
  SIGNATURE_CHECKS,
  type SignedMessage,
  senderMaySpeakForFrom,
  signaturePresentWhenRequired,
  signatureVerifies,
  signedMessage,
  signerBelongsToSender,
  soapActionConsistent,
  timeToLiveNotPassed,
  type Verification,
} from '../../../src/inbound/checks/index.js';
import type { InboundSender } from '../../../src/inbound/index.js';
import { initDevPki } from '../../../src/security/pki/index.js';
import { loadTls } from '../../../src/security/tls/index.js';
import type { SigningIdentity } from '../../../src/security/xmldsig/index.js';
import { OUR_PARTY, routes, SPINE_PARTY, slotPoll } from './setup.js';

const ANY: InboundSender = { parties: ['*'] };
const NOW = new Date();

/** A slot poll as the parser reads it. */
function parsedPoll(header: Partial<MessageHeader> = {}): ParsedMessage {
  const http = slotPoll(header);
  return parseMessage(http.contentType, http.body, http.soapAction);
}

const poll = parsedPoll();
const ebsService = poll.header.service;

/** The poll with header fields (and the parser's other readings) changed. */
function received(
  header: Partial<MessageHeader> = {},
  rest: Partial<Omit<ParsedMessage, 'header'>> = {},
  sender: InboundSender = ANY,
): Received {
  return {
    message: { ...poll, ...rest, header: { ...poll.header, ...header } },
    sender,
    partyKey: OUR_PARTY,
    routes,
    now: NOW,
  };
}

const codeOf = <S>(check: Check<S>, subject: S) => check(subject)?.errorCode;
const past = new Date(NOW.getTime() - 60_000).toISOString();
const future = new Date(NOW.getTime() + 60_000).toISOString();

describe('header checks', () => {
  const table: [string, Check<Received>, Received, string | undefined][] = [
    ['any sender may speak for Spine', senderMaySpeakForFrom, received(), undefined],
    ['a sender for Spine', senderMaySpeakForFrom, received({}, {}, { parties: [SPINE_PARTY] }), undefined],
    [
      'a sender for another party',
      senderMaySpeakForFrom,
      received({}, {}, { parties: ['X-1'] }),
      'SecurityFailure',
    ],
    ['To us', addressedToUs, received(), undefined],
    ['To another party', addressedToUs, received({ to: { id: 'RTX-000000' } }), 'ValueNotRecognized'],
    ['a CPAId of a route', cpaIdKnown, received(), undefined],
    ['an unknown CPAId', cpaIdKnown, received({ cpaId: 'S000000000000' }), 'ValueNotRecognized'],
    ['a catalogued action', actionKnown, received(), undefined],
    ['an unknown action', actionKnown, received({ action: 'NOPE_IN000000UK01' }), 'ValueNotRecognized'],
    [
      'an MSH action (judged elsewhere)',
      actionKnown,
      received({ service: MSH_SERVICE, action: 'Foo' }),
      undefined,
    ],
    ['the action in its service', actionInService, received(), undefined],
    [
      'the action under another service',
      actionInService,
      received({ service: 'urn:nhs:names:services:psis' }),
      'ValueNotRecognized',
    ],
    ['no SOAPAction', soapActionConsistent, received({}, { soapAction: undefined }), undefined],
    ['SOAPAction "ebXML"', soapActionConsistent, received({}, { soapAction: 'ebXML' }), undefined],
    [
      'the SOAPAction of the header',
      soapActionConsistent,
      received({}, { soapAction: `${ebsService}/PRSC_IN080000UK07` }),
      undefined,
    ],
    [
      'a SOAPAction naming another action',
      soapActionConsistent,
      received({}, { soapAction: `${ebsService}/PRSC_IN040000UK08` }),
      'Inconsistent',
    ],
    ['a business action', mshActionSupported, received(), undefined],
    ['Ping', mshActionSupported, received({ service: MSH_SERVICE, action: 'Ping' }), undefined],
    [
      'StatusRequest',
      mshActionSupported,
      received({ service: MSH_SERVICE, action: 'StatusRequest' }),
      undefined,
    ],
    [
      'another MSH request',
      mshActionSupported,
      received({ service: MSH_SERVICE, action: 'Foo' }),
      'NotSupported',
    ],
    [
      'an MSH signal with any action',
      mshActionSupported,
      received({ service: MSH_SERVICE, action: 'Foo' }, { kind: 'acknowledgment' }),
      undefined,
    ],
    ['no TimeToLive', timeToLiveNotPassed, received(), undefined],
    ['a TimeToLive to come', timeToLiveNotPassed, received({ timeToLive: future }), undefined],
    ['a TimeToLive passed', timeToLiveNotPassed, received({ timeToLive: past }), 'TimeToLiveExpired'],
    ['a TimeToLive that is not a time', timeToLiveNotPassed, received({ timeToLive: 'soon' }), undefined],
  ];

  it.each(table)('%s', (_name, check, subject, expected) => {
    expect(codeOf(check, subject)).toBe(expected);
  });

  it('names where in the header the problem is', () => {
    expect(addressedToUs(received({ to: { id: 'RTX-000000' } }))).toMatchObject({
      spineCode: '501314',
      location: 'eb:MessageHeader/eb:To/eb:PartyId',
    });
    expect(cpaIdKnown(received({ cpaId: 'S0' }))).toMatchObject({
      spineCode: '501319',
      location: 'eb:MessageHeader/eb:CPAId',
    });
  });

  it('runs in order and answers the first problem only', () => {
    const twoProblems = received({ to: { id: 'RTX-000000' }, cpaId: 'S0', timeToLive: past });
    expect(firstProblem(HEADER_CHECKS, twoProblems)?.spineCode).toBe('501314');
    expect(firstProblem(HEADER_CHECKS, received({ cpaId: 'S0', timeToLive: past }))?.spineCode).toBe(
      '501319',
    );
    expect(firstProblem(HEADER_CHECKS, received({ timeToLive: past }))?.errorCode).toBe('TimeToLiveExpired');
    expect(firstProblem(HEADER_CHECKS, received())).toBeUndefined();
  });
});

describe('the schema check', () => {
  it('passes an envelope we built and refuses one that breaks ebMS 2.0 with OtherXml', () => {
    expect(envelopeMatchesSchema(received())).toBeUndefined();
    const broken = poll.envelopeXml.replace(/<eb:CPAId>[^<]*<\/eb:CPAId>/, '');
    const problem = envelopeMatchesSchema(received({}, { envelopeXml: broken }));
    expect(problem?.errorCode).toBe('OtherXml');
    expect(problem?.description).toMatch(/not valid against the ebMS 2\.0 schema/);
  });

  it('runs before the header checks only when configured', () => {
    const broken = received({ cpaId: 'S0' }, { envelopeXml: '<not-an-envelope/>' });
    expect(firstProblem(messageChecks(true), broken)?.errorCode).toBe('OtherXml');
    expect(firstProblem(messageChecks(false), broken)?.spineCode).toBe('501319');
  });
});

describe('signature checks', () => {
  let dir: string;
  let identity: SigningIdentity;
  let trusted: X509Certificate[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mhs-checks-'));
    const pki = await initDevPki({ dir });
    const tls = loadTls({ cert: pki.paths.gatewayCert, key: pki.paths.gatewayKey, ca: pki.paths.caCert });
    identity = { privateKey: tls.privateKey, certificate: tls.certificate };
    trusted = tls.caCertificates;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A subject with a verification result given, not computed. */
  function signedWith(
    verification: Verification,
    rest: Partial<ParsedMessage> = {},
    options: { required?: boolean; sender?: InboundSender } = {},
  ): SignedMessage {
    return {
      message: { ...poll, signaturePresent: true, ...rest },
      sender: options.sender ?? ANY,
      required: options.required ?? false,
      verification: () => verification,
    };
  }
  const valid = (): Verification => ({
    result: { present: true, valid: true, signer: identity.certificate },
  });

  it.each([
    ['absent, not required', false, false, undefined],
    ['absent, required', false, true, 'SecurityFailure'],
    ['present, required', true, true, undefined],
    ['present, not required', true, false, undefined],
  ])('a signature %s', (_name, present, required, expected) => {
    expect(
      codeOf(signaturePresentWhenRequired, signedWith(valid(), { signaturePresent: present }, { required })),
    ).toBe(expected);
  });

  it('refuses a signed message with a MIME part no manifest reference covers', () => {
    const extra = {
      contentId: 'smuggled@attacker.example',
      contentType: 'text/plain',
      content: Buffer.from('x'),
    };
    const smuggled = { parts: [...poll.parts, extra] } as Partial<ParsedMessage>;
    expect(everyPartInManifest(signedWith(valid(), smuggled))?.description).toMatch(
      /smuggled@attacker\.example/,
    );
    expect(
      everyPartInManifest(signedWith(valid(), { ...smuggled, signaturePresent: false })),
    ).toBeUndefined();
  });

  it.each<[string, Verification, string | undefined]>([
    [
      'a valid signature',
      { result: { present: true, valid: true, signer: {} as X509Certificate } },
      undefined,
    ],
    ['no signature element found', { result: { present: false } }, undefined],
    [
      'an invalid signature',
      { result: { present: true, valid: false, reason: 'digest differs' } },
      'SecurityFailure',
    ],
    ['a signature that cannot be checked', { cannotCheck: 'out of memory' }, 'SecurityFailure'],
  ])('verification: %s', (_name, verification, expected) => {
    expect(codeOf(signatureVerifies, signedWith(verification))).toBe(expected);
  });

  it('binds the signer to the TLS client', () => {
    const own = identity.certificate.fingerprint256.toUpperCase();
    expect(signerBelongsToSender(signedWith(valid(), {}, { sender: { parties: ['*'] } }))).toBeUndefined();
    expect(
      signerBelongsToSender(signedWith(valid(), {}, { sender: { parties: ['*'], signers: [own] } })),
    ).toBeUndefined();
    expect(
      signerBelongsToSender(signedWith(valid(), {}, { sender: { parties: ['*'], signers: ['AB:CD'] } }))
        ?.errorCode,
    ).toBe('SecurityFailure');
  });

  /** What the signature checks answer for `http`, run as the pipeline runs them, on the parser's document. */
  function signatureProblem(http: { contentType: string; body: Buffer; soapAction?: string }, sender = ANY) {
    let subject: SignedMessage | undefined;
    let problem: string | undefined;
    parseMessage(
      http.contentType,
      http.body,
      http.soapAction,
      {},
      (read: ParsedMessage, envelope: ReadEnvelope) => {
        subject = signedMessage(read, envelope, sender, {
          routes,
          requireSignature: true,
          trusted: () => trusted,
          now: NOW,
        });
        problem = firstProblem(SIGNATURE_CHECKS, subject)?.description;
      },
    );
    return { subject: subject!, problem };
  }

  it('verifies a real signature once, against the trusted CA, on the parser document', () => {
    const http = slotPoll({}, identity);
    const { subject, problem } = signatureProblem(http);
    expect(problem).toBeUndefined();
    // Verified once (verification consumes the parser's document, freed by now).
    expect(subject.verification()).toBe(subject.verification());
    const tampered = Buffer.from(http.body.toString('utf8').replace(/CLINIC-1/g, 'CLINIC-2'));
    expect(signatureProblem({ ...http, body: tampered }).problem).toMatch(/^signature not valid/);
    expect(signatureProblem(slotPoll()).problem).toBe('a signature is required and none is present');
  });
});
