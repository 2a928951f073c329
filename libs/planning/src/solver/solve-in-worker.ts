import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LinearProgram } from '../domain/surge/surge-model';
import type { ProgramSolution, SolveOptions } from './solve-program';

/** The HiGHS build the solves run on, recorded with every run. */
export const HIGHS_VERSION: string = (JSON.parse(readFileSync(join(dirname(require.resolve('highs')), '..', 'package.json'), 'utf8')) as { version: string }).version;

export interface WorkerSolveOptions extends SolveOptions {
  /**
   * When the worker is stopped whatever HiGHS is doing (it does not always honour its own time limit):
   * by default the time limit and ten seconds more.
   */
  readonly killAfterMs?: number;
}

/** What a solve that had to be stopped answers: no plan from the solver (the baselines still stand). */
export interface KilledSolve {
  readonly status: 'KILLED';
  readonly seconds: number;
  readonly solverVersion: string;
}

/**
 * Solves in a worker thread, so the API keeps answering during a solve, and stops the worker if it runs past
 * its time limit. The worker runs this file's sibling as TypeScript through @swc-node/register when the API
 * does, and as compiled JavaScript in a build.
 */
export function solveInWorker(program: LinearProgram, options: WorkerSolveOptions): Promise<ProgramSolution | KilledSolve> {
  const ext = extname(__filename);
  const worker = new Worker(join(__dirname, `surge-worker${ext}`), {
    workerData: { program, options: { timeLimitSeconds: options.timeLimitSeconds, relativeGap: options.relativeGap }, solverVersion: HIGHS_VERSION },
    execArgv: ext === '.ts' ? ['--require', require.resolve('@swc-node/register')] : [],
  });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const kill = setTimeout(() => {
      void worker.terminate();
      resolve({ status: 'KILLED', seconds: (performance.now() - started) / 1000, solverVersion: HIGHS_VERSION });
    }, options.killAfterMs ?? (options.timeLimitSeconds + 10) * 1000);
    worker.once('message', (solution: ProgramSolution) => {
      clearTimeout(kill);
      void worker.terminate();
      resolve(solution);
    });
    worker.once('error', (error) => {
      clearTimeout(kill);
      reject(error);
    });
  });
}
