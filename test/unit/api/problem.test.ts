import { describe, expect, it } from 'vitest';
import { submitProblem } from '../../../src/api/mhs-replies.js';
import { errorProblem, STORE_UNAVAILABLE_PROBLEM } from '../../../src/api/problem.js';
import { DeadLetterConflictError, NotAcceptedError } from '../../../src/outbound/index.js';
import { RoutingError } from '../../../src/routing/index.js';
import { DuplicateMessageError, StoreUnavailableError } from '../../../src/store/index.js';

describe('errorProblem', () => {
  it('is the error’s title, status and message, with Retry-After when it has one', () => {
    expect(errorProblem(new NotAcceptedError('RabbitMQ did not confirm'))).toEqual({
      title: 'Not accepted: try again later',
      status: 503,
      detail: 'RabbitMQ did not confirm',
      retryAfterSeconds: 5,
    });
    expect(errorProblem(new DuplicateMessageError('M1'))).toEqual({
      title: 'Message-Id already used',
      status: 409,
      detail: 'message M1 is already stored',
    });
  });

  it('takes a route’s own words over the defaults, and extension members beside them', () => {
    expect(
      errorProblem(new RoutingError('unknown interaction X'), { title: 'Cannot replay', status: 409 }),
    ).toEqual({ title: 'Cannot replay', status: 409, detail: 'unknown interaction X' });
    const conflict = new DeadLetterConflictError('M1', 'COMPLETED');
    expect(errorProblem(conflict, { state: conflict.state })).toEqual({
      title: 'Not a dead letter',
      status: 409,
      detail: conflict.message,
      state: 'COMPLETED',
    });
  });
});

describe('submitProblem', () => {
  it('answers a store that cannot be reached with 503 and Retry-After, and rethrows what it does not know', () => {
    expect(submitProblem(new StoreUnavailableError('SQLite store thread exited'))).toEqual(
      STORE_UNAVAILABLE_PROBLEM,
    );
    expect(STORE_UNAVAILABLE_PROBLEM).toMatchObject({ status: 503, retryAfterSeconds: 5 });
    expect(() => submitProblem(new Error('a bug'))).toThrow('a bug');
  });
});
