// Files that hold patient data are created readable by their owner only (issue 13): the SQLite
// database with its WAL and shared-memory files (0600, directory 0700), and a message the CLI
// writes with `sign --out`. Tests run as root, so the mode bits are asserted, not access denial;
// a file written the ordinary way in the same place shows the umask would have allowed more.
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSign } from '../../src/cli/sign.js';
import { packageRoot } from '../../src/config/index.js';
import { loadRouteTable } from '../../src/routing/index.js';
import { initDevPki } from '../../src/security/pki/index.js';
import { openStore } from '../../src/store/index.js';
import { slotPollMessage } from './messages.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('files holding patient data', () => {
  it('creates the SQLite database, its WAL and SHM 0600 in a 0700 directory (the gateway’s threaded store)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-modes-'));
    const control = join(dir, 'ordinary.txt');
    writeFileSync(control, 'x');
    expect(mode(control) & 0o044).not.toBe(0); // the umask lets group and others read ordinary files

    const path = join(dir, 'data', 'state.db');
    const store = await openStore(`sqlite:${path}`, { thread: true });
    try {
      await store.insert({
        messageId: 'M1',
        direction: 'outbound',
        interactionId: 'PRSC_IN090000UK09',
        conversationId: 'C1',
        status: 'ACCEPTED',
        hl7: '<patient>9434765919</patient>',
      });
      expect(mode(join(dir, 'data'))).toBe(0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(mode(file), file).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('narrows a database an older version left readable by others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-modes-'));
    const path = join(dir, 'state.db');
    const first = await openStore(`sqlite:${path}`);
    await first.close();
    chmodSync(path, 0o644);
    const again = await openStore(`sqlite:${path}`);
    try {
      expect(mode(path)).toBe(0o600);
    } finally {
      await again.close();
    }
  });

  it('writes `sign --out` 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-modes-'));
    const pki = await initDevPki({ dir: join(dir, 'pki') });
    const routes = loadRouteTable(
      join(packageRoot, 'config', 'interactions.json'),
      join(packageRoot, 'config', 'routes.json'),
    );
    const message = slotPollMessage(routes);
    const input = join(dir, 'poll.mime');
    writeFileSync(input, message.body);
    const out = join(dir, 'signed.mime');
    await runSign([
      input,
      '--content-type',
      message.contentType,
      '--key',
      pki.paths.gatewayKey,
      '--cert',
      pki.paths.gatewayCert,
      '--out',
      out,
    ]);
    expect(readFileSync(out, 'latin1')).toContain('ds:Signature');
    expect(mode(input) & 0o044).not.toBe(0);
    expect(mode(out)).toBe(0o600);
  });
});
