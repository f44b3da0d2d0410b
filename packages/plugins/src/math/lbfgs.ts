/**
 * Unconstrained minimisation with L-BFGS (two-loop recursion) and a backtracking line search
 * that enforces the Armijo sufficient-decrease condition.
 * @module
 */
import { dot } from '@e2v/core';

/** The objective: its value and gradient at `x`. */
export type Objective = (x: Float64Array) => { value: number; gradient: Float64Array };

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Stop when the largest gradient component is below this. Default 1e-6. */
  gradientTolerance?: number;
  /** Stop when an iteration lowers the value by less than this, relatively. Default 1e-12. */
  valueTolerance?: number;
  /** Most iterations. Default 1000. */
  maxIterations?: number;
  /** Number of correction pairs kept. Default 10. */
  memory?: number;
}

/** The minimiser's answer. */
export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** True when a tolerance was met (not the iteration limit, nor a failed line search). */
  converged: boolean;
}

const ARMIJO_C1 = 1e-4;
const MAX_BACKTRACKS = 50;

/**
 * Minimises `objective` from `x0`.
 * @param objective value and gradient
 * @param x0 the starting point (not modified)
 * @param options tolerances and limits
 * @returns the minimiser, its value, iterations and whether it converged
 */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const gradientTolerance = options.gradientTolerance ?? 1e-6;
  const valueTolerance = options.valueTolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 1000;
  const memory = options.memory ?? 10;
  let x: Float64Array = Float64Array.from(x0);
  let { value, gradient }: { value: number; gradient: Float64Array } = objective(x);
  const history: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(gradient) < gradientTolerance) return { x, value, iterations: iteration, converged: true };
    let direction = searchDirection(gradient, history);
    let slope = dot(direction, gradient);
    if (slope >= 0) {
      // Not a descent direction (can happen after bad curvature): restart from steepest descent.
      history.length = 0;
      direction = gradient.map((g) => -g);
      slope = dot(direction, gradient);
    }
    let step = history.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(gradient, gradient))) : 1;
    let next: { x: Float64Array; value: number; gradient: Float64Array } | undefined;
    for (let b = 0; b < MAX_BACKTRACKS; b++, step /= 2) {
      const candidate = x.map((xi, i) => xi + step * direction[i]!);
      const evaluated = objective(candidate);
      if (evaluated.value <= value + ARMIJO_C1 * step * slope) {
        next = { x: candidate, ...evaluated };
        break;
      }
    }
    if (next === undefined) return { x, value, iterations: iteration, converged: false };
    const s = next.x.map((v, i) => v - x[i]!);
    const y = next.gradient.map((v, i) => v - gradient[i]!);
    const sy = dot(s, y);
    if (sy > 1e-12) {
      history.push({ s, y, rho: 1 / sy });
      if (history.length > memory) history.shift();
    }
    const decrease = value - next.value;
    ({ x, value, gradient } = next);
    if (decrease <= valueTolerance * Math.max(1, Math.abs(value))) return { x, value, iterations: iteration + 1, converged: true };
  }
  return { x, value, iterations: maxIterations, converged: maxAbs(gradient) < gradientTolerance };
}

/** The L-BFGS direction -H g (two-loop recursion). */
function searchDirection(gradient: Float64Array, history: readonly { s: Float64Array; y: Float64Array; rho: number }[]): Float64Array {
  const q = Float64Array.from(gradient);
  const alphas: number[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const { s, y, rho } = history[i]!;
    const alpha = rho * dot(s, q);
    alphas[i] = alpha;
    for (let j = 0; j < q.length; j++) q[j]! -= alpha * y[j]!;
  }
  const last = history.at(-1);
  const gamma = last === undefined ? 1 : dot(last.s, last.y) / dot(last.y, last.y);
  for (let j = 0; j < q.length; j++) q[j]! *= gamma;
  for (let i = 0; i < history.length; i++) {
    const { s, y, rho } = history[i]!;
    const beta = rho * dot(y, q);
    for (let j = 0; j < q.length; j++) q[j]! += s[j]! * (alphas[i]! - beta);
  }
  return q.map((v) => -v);
}

/** The largest absolute component. */
function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
