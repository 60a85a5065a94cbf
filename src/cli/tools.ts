// The development tools (soak, bench) live beside the product in tools/ and are built to
// dist/tools/. The CLI loads one only when its command runs, so `start` never loads them and an
// installation without them (the production image) still runs everything else.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, wholeNumber } from './usage.js';

export type ToolName = 'soak' | 'bench';

/** What the CLI lends a tool's command: its argument helpers, whose errors it prints as one line. */
export interface ToolCommandLine {
  wholeNumber: typeof wholeNumber;
  usageError(message: string): Error;
}

/** A tool's public module (dist/tools/<name>/index.js) as the CLI calls it. */
interface ToolModule {
  runCommand(args: string[], commandLine: ToolCommandLine): Promise<void>;
}

const COMMAND_LINE: ToolCommandLine = { wholeNumber, usageError: (message) => new UsageError(message) };

/** Runs tool `name`'s command; `toolsUrl` is where the built tools are (beside dist/cli/ by default). */
export async function runTool(
  name: ToolName,
  args: string[],
  toolsUrl = new URL('../tools/', import.meta.url),
): Promise<void> {
  const tool = await loadTool(new URL(`${name}/index.js`, toolsUrl), name);
  return tool.runCommand(args, COMMAND_LINE);
}

async function loadTool(url: URL, name: ToolName): Promise<ToolModule> {
  if (!existsSync(fileURLToPath(url)))
    throw new UsageError(
      `${name} is a development tool and is not part of this installation (\`npm run build\` builds it from tools/)`,
    );
  const loaded = (await import(url.href)) as Partial<ToolModule>;
  if (typeof loaded.runCommand !== 'function') throw new Error(`${fileURLToPath(url)} has no runCommand`);
  return loaded as ToolModule;
}
