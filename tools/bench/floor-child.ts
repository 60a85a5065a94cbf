// Parent side of the transport floor's server: forks the compiled floor-server.js.
import type { TlsFiles } from '#src/security/tls/index.js';
import { childScript, forkChild } from './floor-ipc.js';

export interface FloorServerProcess {
  port: number;
  pid: number;
  /** Asks the child how many POSTs it has answered. */
  received(): Promise<number>;
  stop(): Promise<void>;
}

/** The compiled floor server (fails at once, naming the fix, when dist/ was not built). */
export function floorServerScript(): string {
  return childScript('floor-server.js');
}

export async function spawnFloorServer(files: TlsFiles, timeoutMs = 15_000): Promise<FloorServerProcess> {
  const child = await forkChild('floor-server.js', files, timeoutMs);
  return {
    port: child.port,
    pid: child.pid,
    received: () => child.request<number>('count'),
    stop: () => child.stop(),
  };
}
