import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

interface Process {
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly ticks: number;
  readonly cmdline: string;
}

/**
 * Watches /proc for CPU time used by processes that are not this benchmark, its embedded server or
 * the server's backends for the benchmark database: a test run or a compiler on the same small machine
 * moves the figures, and the report should say so rather than leave a reader to guess.
 * Linux only (elsewhere it reports nothing). Sampled every `intervalMs`, so a process that lives
 * shorter than that is missed; PostgreSQL's own background processes are not counted either way.
 */
export class ForeignLoadMonitor {
  private readonly seen = new Map<number, number>();
  private foreignTicks = 0;
  private timer?: NodeJS.Timeout;
  private readonly ticksPerSecond = clockTicks();
  readonly available = readProcesses() !== undefined;

  constructor(
    private readonly ownDatabase: string,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    if (!this.available || this.timer) return;
    this.poll(true);
    this.timer = setInterval(() => this.poll(false), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** CPU seconds other processes have used since start(), as of now. */
  cpuSeconds(): number {
    if (this.timer) this.poll(false);
    return this.foreignTicks / this.ticksPerSecond;
  }

  /** Starts a window; the returned function gives the share of all cores others used during it (0..1). */
  window(): () => number {
    const cpuStart = this.cpuSeconds();
    const started = performance.now();
    return () => {
      const seconds = (performance.now() - started) / 1000;
      return seconds > 0 ? (this.cpuSeconds() - cpuStart) / (seconds * availableParallelism()) : 0;
    };
  }

  private poll(baseline: boolean): void {
    const processes = readProcesses();
    if (!processes) return;
    for (const [pid, proc] of processes) {
      // A process first seen after the start did all its work during the run (give or take one interval).
      const before = this.seen.get(pid) ?? (baseline ? proc.ticks : 0);
      this.seen.set(pid, proc.ticks);
      if (!baseline && proc.ticks > before && this.isForeign(pid, processes)) this.foreignTicks += proc.ticks - before;
    }
  }

  private isForeign(pid: number, processes: ReadonlyMap<number, Process>): boolean {
    const { cmdline } = processes.get(pid)!;
    if (cmdline === '') return false; // kernel threads: mostly our own I/O being written back
    if (cmdline.startsWith('postgres: ')) {
      if (cmdline.includes(` ${this.ownDatabase} `)) return false;
      // Another client's backend names its host; background processes (checkpointer, ...) do not.
      return /\(\d+\)|\[local\]/.test(cmdline);
    }
    // Our own process and its descendants (the embedded server and its backends).
    for (let current: number | undefined = pid, depth = 0; current && depth < 64; depth++) {
      if (current === process.pid) return false;
      current = processes.get(current)?.ppid;
    }
    return true;
  }
}

function readProcesses(): Map<number, Process> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const processes = new Map<number, Process>();
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may itself contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      processes.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), cmdline });
    } catch {
      // The process ended between listing and reading it.
    }
  }
  return processes;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
