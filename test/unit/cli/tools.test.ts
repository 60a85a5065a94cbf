// The CLI loads a development tool (tools/ in the build) only when its command runs, lends it the
// argument helpers, and tells the user in one line when the installation has no such tool.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../../src/cli/errors.js';
import { runTool } from '../../../src/cli/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'mhs-tools-'));
const toolsUrl = pathToFileURL(`${dir}/`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tool(name: string, source: string): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'index.js'), source);
}

describe('runTool', () => {
  it('runs the tool with its arguments and the CLI helpers', async () => {
    tool(
      'bench',
      `export async function runCommand(args, cli) {
         globalThis.benchRan = { args, messages: cli.wholeNumber(args[1], '--messages', 1, 1) };
       }`,
    );
    await runTool('bench', ['--messages', '7'], toolsUrl);
    expect((globalThis as { benchRan?: unknown }).benchRan).toEqual({
      args: ['--messages', '7'],
      messages: 7,
    });
  });

  it("turns a tool's bad option into the one-line usage failure", async () => {
    tool(
      'soak',
      `export async function runCommand(args, cli) { throw cli.usageError('--broker must be own or shared'); }`,
    );
    const error = await runTool('soak', [], toolsUrl).catch((e: unknown) => e);
    expect(describeFailure(error)).toEqual({ line: '--broker must be own or shared', bug: false });
  });

  it('says in one line that an installation without the tool cannot run it', async () => {
    const error = await runTool('soak', [], pathToFileURL(join(dir, 'none/'))).catch((e: unknown) => e);
    expect(describeFailure(error)).toEqual({
      line: 'soak is a development tool and is not part of this installation (`npm run build` builds it from tools/)',
      bug: false,
    });
  });

  it('does not mistake a broken tool for a missing one', async () => {
    tool('broken/bench', `import './missing.js'; export async function runCommand() {}`);
    const error = await runTool('bench', [], pathToFileURL(join(dir, 'broken/'))).catch((e: unknown) => e);
    expect(describeFailure(error).line).not.toContain('development tool');
    expect(describeFailure(error).bug).toBe(true);
  });
});
