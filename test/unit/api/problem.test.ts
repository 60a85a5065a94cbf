import { describe, expect, it } from 'vitest';
import { errorProblem } from '../../../src/api/problem.js';
import { DeadLetterConflictError, NotAcceptedError } from '../../../src/outbound/index.js';
import { RoutingError } from '../../../src/routing/index.js';
import { DuplicateMessageError } from '../../../src/store/index.js';

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
