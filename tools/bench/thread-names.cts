// Preloaded into each gateway the bench starts (node --require, which Node also runs in every
// worker thread), to name the process's threads for the CPU-per-thread figure: on Node 20 every
// thread's /proc comm is "node", so comm cannot tell them apart. Each JavaScript thread writes
// "<tid> <name>" to the file in BENCH_THREAD_LOG: the main thread "main", a worker thread its
// script's name (sqlite-worker, sign-worker). The main thread also names the threads that exist
// before any JavaScript runs ("v8-platform": V8's GC and compiler workers and Node's helper
// threads) and those libuv starts for its first job ("libuv-pool"). Nothing else changes.
import fs = require('node:fs');
import path = require('node:path');
import workerThreads = require('node:worker_threads');

const log = process.env.BENCH_THREAD_LOG;

/** This thread's id: /proc/thread-self is a link to /proc/<pid>/task/<tid>. */
function ownTid(): string {
  return path.basename(fs.readlinkSync('/proc/thread-self'));
}

function write(lines: string[]): void {
  if (log && lines.length > 0) fs.appendFileSync(log, `${lines.join('\n')}\n`);
}

function tasks(): string[] {
  return fs.readdirSync('/proc/self/task');
}

if (log) {
  try {
    if (workerThreads.isMainThread) {
      const self = ownTid();
      const before = tasks();
      write([`${self} main`, ...before.filter((tid) => tid !== self).map((tid) => `${tid} v8-platform`)]);
      // libuv starts all its pool threads at its first job: whatever is new after this one is the pool.
      fs.stat(__filename, () => {
        try {
          write(
            tasks()
              .filter((tid) => !before.includes(tid))
              .map((tid) => `${tid} libuv-pool`),
          );
        } catch {
          // Naming threads must never disturb the gateway.
        }
      });
    } else {
      const self = ownTid();
      // process.argv[1] is the worker's script only once the preload has run.
      queueMicrotask(() => {
        try {
          const script = process.argv[1];
          write([`${self} ${script ? path.basename(script).replace(/\.[cm]?js$/, '') : 'worker'}`]);
        } catch {
          // As above.
        }
      });
    }
  } catch {
    // As above.
  }
}
