import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './lbfgs.js';

describe('minimizeLbfgs', () => {
  it('should find the minimum of an ill-conditioned quadratic', () => {
    const scales = [1, 10, 100, 1000];
    const target = [1, -2, 3, -4];
    const result = minimizeLbfgs(
      (x) => ({
        value: scales.reduce((s, a, i) => s + 0.5 * a * (x[i]! - target[i]!) ** 2, 0),
        gradient: Float64Array.from(scales, (a, i) => a * (x[i]! - target[i]!)),
      }),
      new Float64Array(4),
    );
    expect(result.converged).toBe(true);
    result.x.forEach((v, i) => expect(v).toBeCloseTo(target[i]!, 5));
  });

  it('should find the minimum of the Rosenbrock function', () => {
    const result = minimizeLbfgs(
      ([x = 0, y = 0]) => ({
        value: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        gradient: Float64Array.from([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]),
      }),
      Float64Array.from([-1.2, 1]),
      { gradientTolerance: 1e-8 },
    );
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
    expect(result.value).toBeLessThan(1e-8);
  });

  it('should stop at the iteration limit and say it did not converge', () => {
    const result = minimizeLbfgs(([x = 0]) => ({ value: Math.cosh(x), gradient: Float64Array.of(Math.sinh(x)) }), Float64Array.of(5), {
      maxIterations: 1,
      gradientTolerance: 1e-300,
      valueTolerance: 0,
    });
    expect(result).toMatchObject({ iterations: 1, converged: false });
  });
});
