import { parentPort, workerData } from 'node:worker_threads';
import highsLoader from 'highs';
import type { LinearProgram } from '../domain/surge/surge-model';
import { solveProgram, type SolveOptions } from './solve-program';

/**
 * Runs one HiGHS solve off the API's event loop (issue 13 §3): HiGHS blocks the thread it runs on, so a
 * solve in the API's own thread would stop every scheduler's query until it ended.
 */
const { program, options, solverVersion } = workerData as { program: LinearProgram; options: SolveOptions; solverVersion: string };
void highsLoader().then((highs) => parentPort!.postMessage(solveProgram(highs, program, options, solverVersion)));
