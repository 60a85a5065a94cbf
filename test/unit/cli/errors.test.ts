import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../src/cli/errors.js';
import { UsageError } from '../../../src/cli/usage.js';
import { ConfigError } from '../../../src/config/index.js';
import { createError, GatewayError } from '../../../src/errors/index.js';
import { IllegalTransitionError } from '../../../src/lifecycle/index.js';
import { DeadLetterConflictError, NotAcceptedError } from '../../../src/outbound/index.js';
import { StoreUnavailableError } from '../../../src/store/index.js';

describe('describeFailure', () => {
  it('prints any GatewayError a user can act on as its first line, without a stack', () => {
    expect(describeFailure(new UsageError('--messages must be a whole number'))).toEqual({
      line: '--messages must be a whole number',
      bug: false,
    });
    expect(describeFailure(new ConfigError('api.port: too big\nmore detail'))).toEqual({
      line: 'api.port: too big',
      bug: false,
    });
    expect(describeFailure(new DeadLetterConflictError('M1', 'COMPLETED'))).toMatchObject({ bug: false });
    expect(describeFailure(new NotAcceptedError('RabbitMQ down'))).toEqual({
      line: 'RabbitMQ down',
      bug: false,
    });
    expect(describeFailure(new StoreUnavailableError('the store is closed'))).toMatchObject({ bug: false });
  });

  it('matches by class, not by name: an Error merely named like one is still a bug', () => {
    const impostor = Object.assign(new Error('looks expected'), { name: 'UsageError' });
    expect(describeFailure(impostor)).toEqual({ line: 'looks expected', bug: true });
  });

  it('keeps the stack for the gateway’s own faults', () => {
    expect(describeFailure(new IllegalTransitionError('SENT', ['ACCEPTED'])).bug).toBe(true);
    class Broken extends createError('BROKEN', 500, 'Internal error') {}
    expect(describeFailure(new Broken('a bug'))).toEqual({ line: 'a bug', bug: true });
    expect(describeFailure(new Error('plain'))).toEqual({ line: 'plain', bug: true });
    expect(describeFailure('thrown string')).toEqual({ line: 'thrown string', bug: true });
  });

  it('reads a GatewayError that crossed a thread by its code and status', () => {
    const crossed = GatewayError.fromJSON({
      name: 'DuplicateMessageError',
      message: 'message M is already stored',
      code: 'DUPLICATE_MESSAGE',
      status: 409,
      title: 'Message-Id already used',
    });
    expect(describeFailure(crossed)).toEqual({ line: 'message M is already stored', bug: false });
  });

  it('still words system errors and busy ports in one line', () => {
    const missing = Object.assign(new Error('ENOENT: no such file'), {
      code: 'ENOENT',
      syscall: 'open',
      path: 'x.json',
    });
    expect(describeFailure(missing)).toEqual({
      line: 'cannot open x.json: no such file or directory (ENOENT)',
      bug: false,
    });
    const busy = Object.assign(new Error('listen EADDRINUSE'), {
      code: 'EADDRINUSE',
      syscall: 'listen',
      address: '127.0.0.1',
      port: 8080,
    });
    expect(describeFailure(busy).line).toBe('cannot listen on 127.0.0.1:8080: the port is already in use');
  });
});
