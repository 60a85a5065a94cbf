import { describe, expect, it } from 'vitest';
import { CabError } from '../../../src/cab/index.js';
import { UsageError } from '../../../src/cli/usage.js';
import { ConfigError } from '../../../src/config/index.js';
import { EbxmlFault } from '../../../src/ebxml/index.js';
import { createError, GatewayError, isGatewayError } from '../../../src/errors/index.js';
import { FhirTransportError, TokenError } from '../../../src/ers-fhir/index.js';
import { Hl7Error } from '../../../src/hl7/index.js';
import { IllegalTransitionError } from '../../../src/lifecycle/index.js';
import {
  DeadLetterConflictError,
  DeadLetterNotFoundError,
  InvalidSubmissionError,
  NotAcceptedError,
} from '../../../src/outbound/index.js';
import { BrokerUnavailableError, QueueContractError } from '../../../src/queue/index.js';
import { RoutingError, SdsError } from '../../../src/routing/index.js';
import { SchemaSetError } from '../../../src/schemas/index.js';
import { Pkcs12Error } from '../../../src/security/pki/index.js';
import { TlsConfigError } from '../../../src/security/tls/index.js';
import {
  DuplicateMessageError,
  InvalidCursorError,
  StoreUnavailableError,
} from '../../../src/store/index.js';
import { TransportError } from '../../../src/transport/index.js';
import { XmlInputError } from '../../../src/xml/index.js';

class ExampleError extends createError('EXAMPLE', 422, 'Example refused', { retryAfterSeconds: 7 }) {}

describe('GatewayError', () => {
  it('carries its class name, code, status, title and message', () => {
    const error = new ExampleError('the example was refused', { cause: new Error('underneath') });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      name: 'ExampleError',
      code: 'EXAMPLE',
      status: 422,
      title: 'Example refused',
      retryAfterSeconds: 7,
      message: 'the example was refused',
    });
    expect((error.cause as Error).message).toBe('underneath');
    expect(ExampleError.code).toBe('EXAMPLE');
    expect(error.internal).toBe(false);
    expect(String(error)).toBe('ExampleError: the example was refused');
  });

  it('crosses a boundary as JSON and comes back with the same code, status and name', () => {
    const json = JSON.parse(JSON.stringify(new ExampleError('refused')));
    expect(json).toEqual({
      name: 'ExampleError',
      message: 'refused',
      code: 'EXAMPLE',
      status: 422,
      title: 'Example refused',
      retryAfterSeconds: 7,
    });
    const back = GatewayError.fromJSON(json);
    expect(back).toBeInstanceOf(GatewayError);
    expect(isGatewayError(back, 'EXAMPLE')).toBe(true);
    expect(isGatewayError(back, 'OTHER')).toBe(false);
    expect(isGatewayError(new Error('plain'))).toBe(false);
    expect(back).toMatchObject({ name: 'ExampleError', message: 'refused', status: 422 });
  });

  // Every product error, its stable code and HTTP status: a code is never reused, never changed quietly.
  const PRODUCT_ERRORS: [GatewayError, string, number][] = [
    [new UsageError('x'), 'USAGE', 400],
    [new ConfigError('x'), 'CONFIG_INVALID', 400],
    [new TlsConfigError('x'), 'TLS_CONFIG_INVALID', 400],
    [new Pkcs12Error('x'), 'PKCS12_UNREADABLE', 400],
    [new XmlInputError('x'), 'XML_REFUSED', 400],
    [new Hl7Error('x'), 'HL7_INVALID', 400],
    [new CabError('x', 'a/b'), 'CAB_PAYLOAD_INVALID', 400],
    [new EbxmlFault({ errorCode: 'OtherXml', severity: 'Error' }), 'EBXML_FAULT', 400],
    [new RoutingError('x'), 'ROUTING', 400],
    [new InvalidSubmissionError('x'), 'INVALID_SUBMISSION', 400],
    [new InvalidCursorError('x'), 'INVALID_CURSOR', 400],
    [new DeadLetterNotFoundError('M'), 'UNKNOWN_MESSAGE', 404],
    [new DeadLetterConflictError('M', 'COMPLETED'), 'NOT_A_DEAD_LETTER', 409],
    [new DuplicateMessageError('M'), 'DUPLICATE_MESSAGE', 409],
    [new TransportError('x', false), 'SPINE_UNREACHABLE', 502],
    [new SdsError('x'), 'SDS_LOOKUP_FAILED', 502],
    [new TokenError('x'), 'ERS_TOKEN_UNAVAILABLE', 502],
    [new NotAcceptedError('x'), 'NOT_ACCEPTED', 503],
    [new BrokerUnavailableError('x'), 'BROKER_UNAVAILABLE', 503],
    [new StoreUnavailableError('x'), 'STORE_UNAVAILABLE', 503],
    [new FhirTransportError('x'), 'ERS_UNREACHABLE', 504],
    [new SchemaSetError('x'), 'SCHEMA_SET_BROKEN', 500],
    [new IllegalTransitionError('SENT', ['ACCEPTED']), 'ILLEGAL_TRANSITION', 500],
    [new QueueContractError('mhs.signals', 'x'), 'QUEUE_CONTRACT', 500],
  ];

  it.each(PRODUCT_ERRORS)('%s has its code and status', (error, code, status) => {
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.name).toBe(error.constructor.name);
    expect({ code: error.code, status: error.status }).toEqual({ code, status });
    expect(error.internal).toBe(status === 500);
  });

  it('gives each product error a code of its own', () => {
    const codes = PRODUCT_ERRORS.map(([error]) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
