import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeAll, closeServer, listen } from '../../../src/gateway/servers.js';

describe('closing what start-up opened', () => {
  it('closes every part in order, even when one fails', async () => {
    const closed: string[] = [];
    await closeAll([
      () => {
        closed.push('api');
      },
      async () => {
        throw new Error('broker already gone');
      },
      async () => {
        closed.push('store');
      },
    ]);
    expect(closed).toEqual(['api', 'store']);
  });

  it('listens on a free port and stops taking connections when closed', async () => {
    const server = await listen(
      http.createServer((_req, res) => res.end('ok')),
      0,
      '127.0.0.1',
    );
    const { port } = server.address() as AddressInfo;
    expect(port).toBeGreaterThan(0);
    await closeServer(server, 100);
    expect(server.listening).toBe(false);
  });

  it('rejects when the port is taken', async () => {
    const first = await listen(http.createServer(), 0, '127.0.0.1');
    const { port } = first.address() as AddressInfo;
    await expect(listen(http.createServer(), port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
    await closeServer(first, 100);
  });
});
