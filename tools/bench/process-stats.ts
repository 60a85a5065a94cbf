import { readdirSync, readFileSync } from 'node:fs';

/** Linux's clock tick for /proc CPU times; 100 on every kernel this runs on (getconf CLK_TCK). */
export const TICKS_PER_SECOND = 100;

export interface ProcessSample {
  /** User + system CPU seconds the process has used so far. */
  cpuSeconds: number;
  rssBytes: number;
  /** Peak resident set since the process started (VmHWM). */
  peakRssBytes: number;
}

/** Reads one process's CPU time and memory from /proc (Linux only, as the bench machine is). */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
    rssBytes: kilobytes(status, 'VmRSS') * 1024,
    peakRssBytes: kilobytes(status, 'VmHWM') * 1024,
  };
}

/** A process's CPU seconds so far, or undefined when it has gone (say a RabbitMQ node that stopped). */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return sampleProcess(pid).cpuSeconds;
  } catch {
    return undefined;
  }
}

function kilobytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/**
 * The RabbitMQ node on this machine (Erlang's beam.smp), to count its CPU; undefined when not local.
 * Of several (a test may start a node of its own for a while), the longest-running: the shared one.
 */
export function findRabbitMqPid(): number | undefined {
  let found: { pid: number; started: number } | undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!command.includes('beam.smp') || !command.includes('rabbit')) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      if (!found || started < found.started) found = { pid: Number(entry), started };
    } catch {
      // Gone meanwhile.
    }
  }
  return found?.pid;
}

/** CPU time of the whole machine so far (all cores), busy and total, in clock ticks (/proc/stat). */
export function sampleMachine(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
  const total = ticks.reduce((sum, n) => sum + n, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of all cores busy between two machine samples, as a percentage. */
export function machineBusyPercent(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
): number {
  const total = after.total - before.total;
  return total > 0 ? Math.round(((after.busy - before.busy) / total) * 1000) / 10 : 0;
}

/** Samples a process every `intervalMs` until stopped: RSS over time shows whether memory stays flat. */
export class ProcessWatcher {
  readonly samples: { atMs: number; rssBytes: number; cpuSeconds: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.take(), intervalMs);
    this.take();
  }

  stop(): ProcessSample {
    clearInterval(this.timer);
    return sampleProcess(this.pid);
  }

  private take(): void {
    try {
      const sample = sampleProcess(this.pid);
      this.samples.push({ atMs: Date.now(), rssBytes: sample.rssBytes, cpuSeconds: sample.cpuSeconds });
    } catch {
      // The process is gone; the run will say so.
    }
  }
}

/** Nearest-rank percentile of ascending `sorted` values (0 for none). */
export function nearestRank(sorted: readonly number[], percent: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((percent / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Nearest-rank percentile of an unsorted list (0 for an empty one). */
export function percentile(values: readonly number[], p: number): number {
  return nearestRank(
    [...values].sort((a, b) => a - b),
    p,
  );
}

export function latencySummary(values: readonly number[]): {
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(percentile(values, 100)),
  };
}
