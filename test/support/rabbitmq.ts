import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A RabbitMQ virtual host of its own for one test run, so concurrent runs never share (or purge)
 * each other's mhs.* queues; the queue names stay exactly as the contract says.
 */
export interface TestVhost {
  url: string;
  name: string;
  /** Closes every client connection of this vhost, as a broker restart or network cut would. */
  cut(): void;
  remove(): void;
}

export function createTestVhost(): TestVhost {
  const name = `mhs-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('rabbitmqctl', ['-q', 'add_vhost', name], { stdio: 'pipe' });
    execFileSync('rabbitmqctl', ['-q', 'set_permissions', '-p', name, 'guest', '.*', '.*', '.*'], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new Error(
      `cannot create RabbitMQ vhost ${name} with rabbitmqctl (is RabbitMQ running, and are we allowed?): ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return {
    name,
    url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(name)}`,
    cut: () => {
      execFileSync(
        'rabbitmqctl',
        ['-q', 'close_all_connections', '--vhost', name, '--limit', '1000', 'test: simulated network cut'],
        { stdio: 'pipe' },
      );
    },
    remove: () => {
      try {
        execFileSync('rabbitmqctl', ['-q', 'delete_vhost', name], { stdio: 'pipe' });
      } catch {
        // Best effort: a leftover test vhost is harmless.
      }
    },
  };
}
