import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../tools/soak/index.js';

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range, which outgoing connections never take', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
    }
  });

  it('skips a port something already listens on', async () => {
    const first = await freePort();
    // Hold the port the next call would try, then ask again.
    const held = net.createServer();
    await new Promise<void>((resolve) => held.listen(first + 1, '127.0.0.1', resolve));
    try {
      const port = await freePort();
      expect(port).not.toBe(first + 1);
      await new Promise<void>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
      });
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  });
});
