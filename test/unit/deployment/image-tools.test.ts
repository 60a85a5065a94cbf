// The production image carries the product, not the development tools (tools/: the soak, which
// spawns rabbitmq-server, and the benchmark).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';

describe('production image', () => {
  const dockerfile = readFileSync(join(packageRoot, 'Dockerfile'), 'utf8');
  const scripts = (
    JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;

  it('builds the product alone and never copies tools/ into the build', () => {
    const runs = dockerfile.split('\n').filter((line) => /^RUN\s.*npm run build/.test(line.trim()));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/npm run build:product\b/);
    expect(scripts['build:product']).toBe('tsc -p tsconfig.build.json');
    expect(dockerfile).not.toMatch(/^COPY\s+(\.\/)?tools\b/m);
    const ignored = readFileSync(join(packageRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toContain('tools');
  });

  it('the product build does not include the tools', () => {
    // tsconfig files may carry line comments.
    const text = readFileSync(join(packageRoot, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    const build = JSON.parse(text) as {
      include: string[];
    };
    expect(build.include).toEqual(['src']);
  });
});
