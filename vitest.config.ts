import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tools import the product as `#src/…` (package.json "imports"): the sources under test, the build when run.
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two files at a time: every file has its own RabbitMQ vhost, PostgreSQL database, temp
    // folder and ports (test/support/ports.ts gives each worker its own slice below the ephemeral
    // range), so files share nothing but the machine. Two, not one per core, because CI's machine
    // has two cores and the timing promises the suites assert were checked at that load.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
