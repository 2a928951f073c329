import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { Client } from 'pg';

export interface MachineDescription {
  readonly cpuModel: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly postgresVersion: string;
  /** Server settings that change what a write or read costs. */
  readonly postgresSettings: Readonly<Record<string, string>>;
  /** Commit the code was at, and whether the measured code had uncommitted changes. */
  readonly code: string;
  /** Share of all cores busy just before the run (other work on a small machine moves the figures). */
  readonly busyBeforeRun: number | undefined;
}

const SETTINGS = ['synchronous_commit', 'fsync', 'wal_sync_method', 'shared_buffers', 'max_wal_size'] as const;

/** What a reader needs to compare figures across runs: the hardware, the runtimes and the server. */
export async function describeMachine(databaseUrl: string, codePaths: readonly string[]): Promise<MachineDescription> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    const settings: Record<string, string> = {};
    for (const name of SETTINGS) {
      const { rows } = await client.query<{ setting: string }>(`SELECT current_setting($1) AS setting`, [name]);
      settings[name] = rows[0]!.setting;
    }
    return {
      cpuModel: cpuModel(),
      cores: availableParallelism(),
      ramGiB: totalmem() / 2 ** 30,
      kernel: `Linux ${release()}`,
      node: process.version,
      postgresVersion: version.rows[0]!.server_version,
      postgresSettings: settings,
      code: codeVersion(codePaths),
      busyBeforeRun: await cpuBusyShare(2000),
    };
  } finally {
    await client.end();
  }
}

/** One line of markdown, e.g. for a report's "Machine" paragraph. */
export function machineLine(machine: MachineDescription, serverSource: string): string {
  const settings = Object.entries(machine.postgresSettings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return (
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGiB.toFixed(1)} GiB RAM, ${machine.kernel}; ` +
    `Node ${machine.node}; PostgreSQL ${machine.postgresVersion}, ${serverSource}; ${settings}. ` +
    `The benchmark client and the server share the machine's cores` +
    (machine.busyBeforeRun === undefined ? '.' : `; ${Math.round(machine.busyBeforeRun * 100)}% of CPU time was busy in the 2 s before the run.`)
  );
}

/**
 * Samples /proc/stat over `ms` and returns the busy share of all cores (0..1), or undefined off Linux.
 * A benchmark can warn when it starts on a machine that is already busy.
 */
export async function cpuBusyShare(ms: number): Promise<number | undefined> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  if (!before || !after || after.total === before.total) return undefined;
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}

function cpuTimes(): { idle: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    return { idle: fields[3]! + (fields[4] ?? 0), total: fields.slice(0, 8).reduce((sum, v) => sum + v, 0) };
  } catch {
    return undefined;
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // Not Linux: fall through.
  }
  return 'unknown CPU';
}

function codeVersion(paths: readonly string[]): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = paths.filter((path) => execFileSync('git', ['status', '--porcelain', '--', path], { encoding: 'utf8' }).trim() !== '');
    return dirty.length > 0 ? `${commit} with uncommitted changes in ${dirty.join(', ')}` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
