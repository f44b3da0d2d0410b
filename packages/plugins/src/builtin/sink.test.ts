import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '@e2v/core';
import { createPluginHost, type PluginHost } from '../host.js';
import { makeResult, tempDir } from '../test-support/index.js';
import { SINK_CSV_COLUMNS, sinkPlugin } from './sink.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

const start = (options: unknown): Promise<PluginHost> =>
  createPluginHost({ plugins: [{ plugin: sinkPlugin, options, baseDir: dir }], stateDir: join(dir, 'state') });

describe('sink', () => {
  it('should append every one of many concurrent results as an intact JSONL line and CSV row, header once', async () => {
    const host = await start({ jsonl: 'out/results.jsonl', csv: 'out/results.csv' });
    const count = 200;
    const bigName = 'x'.repeat(70_000); // larger than a pipe buffer: still one write
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        host.onResult(makeResult(i % 2 === 0 ? 'angry' : 'happy', 0.5 + (i % 50) / 100), {
          id: `id-${i}`,
          input: { name: i === 7 ? bigName : `file "${i}", take 2.wav` },
          options: {},
        }),
      ),
    );
    await host.close();
    const lines = (await readFile(join(dir, 'out/results.jsonl'), 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    const records = lines.map((l) => JSON.parse(l) as { id: string; input: string; result: { emotion: string } });
    expect(records.map((r) => r.id).sort()).toEqual(Array.from({ length: count }, (_, i) => `id-${i}`).sort());
    expect(records.find((r) => r.id === 'id-7')?.input).toBe(bigName);
    const rows = parseCsv(await readFile(join(dir, 'out/results.csv'), 'utf8'));
    expect(rows[0]).toEqual([...SINK_CSV_COLUMNS]);
    expect(rows).toHaveLength(count + 1);
    expect(rows.every((r) => r.length === SINK_CSV_COLUMNS.length)).toBe(true);
    const row3 = rows.find((r) => r[0] === 'id-3')!;
    expect(row3).toEqual([
      'id-3',
      'file "3", take 2.wav',
      'happy',
      '0.53',
      '0.05875',
      '0.05875',
      '0.05875',
      '0.53',
      '0.05875',
      '0.05875',
      '0.05875',
      '0.05875',
      '0.05875',
      '2.5',
      '2026-01-01T08:00:00.000+08:00',
    ]);
  });

  it('should keep appending across restarts without a second header', async () => {
    for (const id of ['a', 'b']) {
      const host = await start({ csv: 'r.csv', fsync: true });
      await host.onResult(makeResult(), { id, input: { name: `${id}.wav` }, options: {} });
      await host.close();
    }
    const rows = parseCsv(await readFile(join(dir, 'r.csv'), 'utf8'));
    expect(rows.map((r) => r[0])).toEqual(['id', 'a', 'b']);
  });

  it('should write the header into an existing empty file', async () => {
    await writeFile(join(dir, 'empty.csv'), '');
    const host = await start({ csv: 'empty.csv' });
    await host.close();
    expect(await readFile(join(dir, 'empty.csv'), 'utf8')).toBe(`${SINK_CSV_COLUMNS.join(',')}\n`);
  });

  it('should keep lines intact when several processes append to the same file', async () => {
    const script = `
      const { appendFileSync } = require('node:fs');
      const [file, tag] = process.argv.slice(1);
      for (let i = 0; i < 300; i++) appendFileSync(file, JSON.stringify({ tag, i, pad: 'y'.repeat(5000) }) + '\\n');
    `;
    const file = join(dir, 'shared.jsonl');
    const children = ['p1', 'p2'].map(
      (tag) =>
        new Promise<void>((resolve, reject) =>
          spawn(process.execPath, ['-e', script, file, tag], { stdio: 'inherit' }).on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`exit ${code}`)),
          ),
        ),
    );
    const host = await start({ jsonl: 'shared.jsonl' });
    await Promise.all([
      ...children,
      ...Array.from({ length: 100 }, (_, i) => host.onResult(makeResult(), { id: `in-${i}`, input: { name: 'n.wav' }, options: {} })),
    ]);
    await host.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(700);
    expect(lines.every((l) => typeof JSON.parse(l) === 'object')).toBe(true);
  });

  it('should reject options without an output or with unknown keys', async () => {
    await expect(start({})).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_OPTIONS', message: /"jsonl" or "csv"/ });
    await expect(start({ jsonl: 'a', json: 'b' })).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_OPTIONS', message: /Unknown option sink options\.json/ });
    await expect(start({ csv: 1 })).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_OPTIONS', message: /sink options\.csv/ });
  });
});
