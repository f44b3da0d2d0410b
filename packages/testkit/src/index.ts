/**
 * `@e2v/testkit`: helpers shared by the packages' tests (TypeScript source, never built or shipped).
 * @module
 */
export * from './golden.js';
export * from './models.js';
