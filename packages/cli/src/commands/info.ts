/**
 * `e2v info`: versions and the native SIMD path in use.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { simd } from '@e2v/native';

/** What `e2v info` reports. */
export interface InfoReport {
  e2v: string;
  node: string;
  napi: string;
  platform: string;
  native: { version: string; simd: string };
}

function packageVersion(specifier: string): string {
  const require = createRequire(import.meta.url);
  const path = require.resolve(specifier);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/** Collects versions and the SIMD path (loads the native addon). */
export function collectInfo(): InfoReport {
  return {
    e2v: packageVersion('../../package.json'),
    node: process.versions.node,
    napi: process.versions.napi ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    native: { version: packageVersion('@e2v/native/package.json'), simd: simd() },
  };
}

/** Formats the report as aligned `key: value` lines. */
export function formatInfo(report: InfoReport): string {
  const lines: [string, string][] = [
    ['e2v', report.e2v],
    ['node', `${report.node} (Node-API ${report.napi})`],
    ['platform', report.platform],
    ['@e2v/native', report.native.version],
    ['SIMD path', report.native.simd + (process.env.E2V_SIMD ? ` (E2V_SIMD=${process.env.E2V_SIMD})` : '')],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}
