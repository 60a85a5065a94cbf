// CPU by thread: where a gateway's CPU goes (its event loop, the store and signing threads, libuv's
// pool, V8's GC and compiler threads). /proc/<pid>/task/<tid>/stat gives each thread's CPU; the
// names come from thread-names.cjs, preloaded into the gateway, because Node 20 names every thread
// "node" (/proc/<pid>/task/<tid>/comm). A later Node that names its threads itself (libuv-worker,
// V8Worker…) is read by comm for any thread the preload did not name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { childScript } from './floor-ipc.js';
import { TICKS_PER_SECOND } from './process-stats.js';

/** The environment variable thread-names.cjs writes its names to (a file path). */
export const THREAD_LOG_VARIABLE = 'BENCH_THREAD_LOG';

/** node options that make a gateway name its threads into `logFile`. */
export function threadNaming(logFile: string): { nodeArgs: string[]; env: Record<string, string> } {
  return {
    nodeArgs: ['--require', childScript('thread-names.cjs')],
    env: { [THREAD_LOG_VARIABLE]: logFile },
  };
}

/** CPU seconds of each live thread of `pid` so far, with its name. */
export type ThreadSample = Map<string, { name: string; cpuSeconds: number }>;

export function sampleThreads(pid: number, logFile?: string): ThreadSample {
  const names = readNames(logFile);
  const sample: ThreadSample = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const name =
        names.get(tid) ?? (tid === String(pid) ? 'main' : comm && comm !== 'node' ? comm : 'other');
      sample.set(tid, { name, cpuSeconds });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return sample;
}

/**
 * CPU seconds by thread name between two samples (summed over `pairs`, e.g. two gateways). A
 * thread started in between counts from zero; one that ended in between is missing from the
 * end sample and so is not counted (the gateway's threads live as long as it does).
 */
export function cpuByThread(pairs: { before: ThreadSample; after: ThreadSample }[]): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const { before, after } of pairs)
    for (const [tid, { name, cpuSeconds }] of after) {
      const used = cpuSeconds - (before.get(tid)?.cpuSeconds ?? 0);
      byName[name] = (byName[name] ?? 0) + used;
    }
  return byName;
}

/** "<tid> <name>" lines; a later line for a thread wins (a worker's own name over "libuv-pool"). */
function readNames(logFile: string | undefined): Map<string, string> {
  const names = new Map<string, string>();
  if (!logFile || !existsSync(logFile)) return names;
  const byPriority = (name: string) => (name === 'v8-platform' || name === 'libuv-pool' ? 0 : 1);
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const [tid, name] = line.trim().split(' ');
    if (!tid || !name) continue;
    const known = names.get(tid);
    if (!known || byPriority(name) >= byPriority(known)) names.set(tid, name);
  }
  return names;
}
