import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tools import the product as `#src/…` (package.json "imports"): the sources under test, the build when run.
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end suites share RabbitMQ queues and fixed ports: run files one at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
