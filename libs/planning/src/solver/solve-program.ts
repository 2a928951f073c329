import type { Highs } from 'highs';
import type { LinearProgram } from '../domain/surge/surge-model';

/** How a solve ended, in words a planner reads beside the plan. */
export type SolveStatus = 'OPTIMAL' | 'TIME_LIMIT' | 'INFEASIBLE' | 'NO_SOLUTION';

export interface SolveOptions {
  /** Seconds HiGHS may run before it stops with the best plan found. */
  readonly timeLimitSeconds: number;
  /** Stop once the best plan is proved within this share of the optimum (e.g. 0.01 for 1%). */
  readonly relativeGap: number;
}

export interface ProgramSolution {
  readonly status: SolveStatus;
  /** The objective of the best plan found (absent when none was). */
  readonly objective?: number;
  /** How far the best plan may still be from the optimum, as a share of it (0 when proved optimal). */
  readonly gap?: number;
  readonly columnValues?: Float64Array;
  readonly seconds: number;
  /** The HiGHS build that solved it, for the run's record. */
  readonly solverVersion: string;
}

/** Solves a mixed-integer programme with HiGHS, minimising, within the time and gap asked. */
export function solveProgram(highs: Highs, program: LinearProgram, options: SolveOptions, solverVersion: string): ProgramSolution {
  return highs.withModel((model): ProgramSolution => {
    model.options.set({ time_limit: options.timeLimitSeconds, mip_rel_gap: options.relativeGap, output_flag: false });
    // HiGHS takes its own number for an unbounded side (`highs.infinity`), not ±Infinity.
    const bounded = (b: number) => (Number.isFinite(b) ? b : Math.sign(b) * highs.infinity);
    model.passModel({ ...program, matrix: { ...program.matrix, numRows: program.numRows, numCols: program.numCols }, integrality: program.integrality, colUpper: program.colUpper.map(bounded), rowLower: program.rowLower.map(bounded), rowUpper: program.rowUpper.map(bounded) });
    const { modelStatus } = model.run();
    const seconds = model.getRunTime();
    const codes = highs.constants.modelStatus;
    const hasSolution = Number(model.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    if (modelStatus === codes.infeasible) return { status: 'INFEASIBLE', seconds, solverVersion };
    if (!hasSolution) return { status: 'NO_SOLUTION', seconds, solverVersion };
    const gap = modelStatus === codes.optimal ? Math.max(0, Number(model.info.get('mip_gap'))) : Number(model.info.get('mip_gap'));
    return {
      status: modelStatus === codes.optimal ? 'OPTIMAL' : 'TIME_LIMIT',
      objective: model.getObjectiveValue(),
      gap: Number.isFinite(gap) ? gap : undefined,
      columnValues: Float64Array.from(model.getSolution().colValue),
      seconds,
      solverVersion,
    };
  });
}
