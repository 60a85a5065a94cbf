// The boundary check `npm run lint` runs (.dependency-cruiser.cjs), on a small tree that breaks
// each rule once beside imports that keep them.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mhs-boundaries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TREE: Record<string, string> = {
  'package.json': JSON.stringify({ type: 'module', imports: { '#src/*': { source: './src/*' } } }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', customConditions: ['source'] },
  }),
  'src/xml/index.ts': "export { escape } from './escape.js';\n",
  'src/xml/escape.ts': 'export const escape = (s: string) => s;\n',
  'src/hl7/index.ts': "import { escape } from '../xml/index.js';\nexport const wrap = escape;\n",
  'src/hl7/peek.ts': "import { escape } from '../xml/escape.js';\nexport const peek = escape;\n",
  'src/cab/index.ts': "import { route } from '../routing/index.js';\nexport const cab = route;\n",
  'src/routing/index.ts': "import { cab } from '../cab/index.js';\nexport const route = () => cab;\n",
  'src/security/tls/index.ts': "import { sign } from '../xmldsig/index.js';\nexport const tls = sign;\n",
  'src/security/xmldsig/index.ts': "import { tls } from '../tls/index.js';\nexport const sign = () => tls;\n",
  'src/cli/index.ts': "import { soak } from '../../tools/soak/index.js';\nexport const cli = soak;\n",
  'tools/soak/index.ts': "import { wrap } from '#src/hl7/index.js';\nexport const soak = wrap;\n",
  'tools/bench/index.ts': "import { escape } from '#src/xml/escape.js';\nexport const bench = escape;\n",
};

describe('boundary check', () => {
  it('reports each broken rule, and nothing for imports through an index', async () => {
    for (const [path, text] of Object.entries(TREE)) {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const depcruise = join(packageRoot, 'node_modules', '.bin', 'depcruise');
    const config = join(packageRoot, '.dependency-cruiser.cjs');
    const output = await run(depcruise, ['src', 'tools', '--config', config, '--output-type', 'json'], {
      cwd: dir,
      maxBuffer: 10 * 1024 * 1024,
    }).catch((error: { stdout: string }) => error);
    const result = JSON.parse(output.stdout) as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    const found = result.summary.violations.map((v) => `${v.rule.name} ${v.from} ${v.to}`).sort();
    expect(found).toEqual(
      [
        'no-folder-cycles src/cab src/routing',
        'no-folder-cycles src/routing src/cab',
        'no-folder-cycles src/security/tls src/security/xmldsig',
        'no-folder-cycles src/security/xmldsig src/security/tls',
        'product-without-tools src/cli/index.ts tools/soak/index.ts',
        'through-index-only src/hl7/peek.ts src/xml/escape.ts',
        'through-index-only tools/bench/index.ts src/xml/escape.ts',
      ].sort(),
    );
  }, 60_000);
});
