import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runPki } from '../../../src/cli/pki.js';
import { devPkiPaths } from '../../../src/security/pki/index.js';
import { tempDir } from '../security/pki/tools.js';

describe('mhs-gateway pki init --hosts', () => {
  const temp = tempDir('cli-pki');
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  afterEach(() => {
    stdout.mockClear();
    stderr.mockClear();
  });
  afterAll(() => {
    vi.restoreAllMocks();
    temp.remove();
  });

  it('writes certificates whose subjectAltName names each of the hosts', async () => {
    const dir = join(temp.dir, 'pki');
    await runPki(['init', '--dir', dir, '--hosts', 'gateway-a, gateway-b,simulator']);
    const paths = devPkiPaths(dir);
    for (const file of [paths.gatewayCert, paths.simulatorCert]) {
      const certificate = new X509Certificate(readFileSync(file));
      expect(certificate.subjectAltName).toBe(
        'DNS:localhost, DNS:gateway-a, DNS:gateway-b, DNS:simulator, IP Address:127.0.0.1',
      );
      expect(certificate.verify(new X509Certificate(readFileSync(paths.caCert)).publicKey)).toBe(true);
    }
    expect(stdout.mock.calls.map(([text]) => String(text))).toEqual([
      `wrote ca.pem, ca.key, gateway.pem, gateway.key, simulator.pem, simulator.key in ${dir} (new development CA)\n`,
    ]);
    expect(stderr).not.toHaveBeenCalled();
  });

  it('says only what it did: leaves re-issued for a new host, then nothing written', async () => {
    const dir = join(temp.dir, 'again');
    await runPki(['init', '--dir', dir]);
    stdout.mockClear();
    await runPki(['init', '--dir', dir, '--hosts', 'gateway-c']);
    await runPki(['init', '--dir', dir, '--hosts', 'gateway-c']);
    expect(stdout.mock.calls.map(([text]) => String(text))).toEqual([
      `wrote gateway.pem, gateway.key, simulator.pem, simulator.key in ${dir}\n`,
      `kept existing development PKI in ${dir} (--force replaces it)\n`,
    ]);
    expect(stderr).not.toHaveBeenCalled();
  });

  it('refuses a host that is not a host name or address, before writing anything', async () => {
    const dir = join(temp.dir, 'refused');
    await expect(runPki(['init', '--dir', dir, '--hosts', 'gateway-1,bad host'])).rejects.toThrow(
      '--hosts: bad host is not a host name or IP address',
    );
    expect(() => readFileSync(devPkiPaths(dir).caCert)).toThrow(/ENOENT/);
  });
});
