/**
 * The outputs folder of one analysis (design.md, "outputs/"):
 * `<outputDir>/outputs_YYYYMMDD_HHMMSS[_N]/` with `processed_audio.wav` (16 kHz mono PCM16),
 * `result.json`, and `embedding.npy` when an embedding was requested. The files are written into
 * a hidden temporary folder that is then renamed, so a folder is complete or absent; a name
 * already taken (by another analysis in the same second, in this or another process) gets the
 * next `_N` suffix, decided by the atomic rename itself.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNpy } from '@e2v/npy';
import { InferenceError } from './errors.js';
import type { Result } from './result/types.js';

/** File names inside an outputs folder. */
export const OUTPUT_FILES = { audio: 'processed_audio.wav', result: 'result.json', embedding: 'embedding.npy' } as const;

/** Largest `_N` tried before giving up. */
const MAX_SUFFIX = 10_000;

/**
 * [sync] A mono 16-bit PCM WAV file (44-byte canonical header). Samples are scaled by 32768,
 * rounded and clipped to [-32768, 32767], so int16 audio read as int16/32768 comes back unchanged.
 * @param samples mono samples, nominally in [-1, 1)
 * @param sampleRate Hz
 */
export function encodeWavPcm16(samples: Float32Array, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2;
  if (dataBytes + 36 > 0xffffffff) throw new RangeError(`Expected at most ${(0xffffffff - 36) / 2} samples for a WAV file but received ${samples.length}`);
  const out = new Uint8Array(44 + dataBytes);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.round(samples[i]! * 32768);
    v.setInt16(44 + i * 2, s > 32767 ? 32767 : s < -32768 ? -32768 : s, true);
  }
  return out;
}

/** `outputs_YYYYMMDD_HHMMSS` for a local time. */
export function outputsFolderName(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `outputs_${p(date.getFullYear(), 4)}${p(date.getMonth() + 1)}${p(date.getDate())}_${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/** What goes into one outputs folder. */
export interface OutputsContent {
  /** The 16 kHz mono audio the model analyzed (before its layer norm). */
  audio: Float32Array;
  sampleRate: number;
  result: Result;
  /** The embedding and its shape ((D,) or (T', D)), or null for none. */
  embedding: { data: Float32Array; shape: number[] } | null;
}

/** Prefix of the hidden folder an outputs folder is written into (followed by `<pid>-<random>`). */
const STAGING_PREFIX = '.outputs-tmp-';

/** True when a process with this id exists (one we may not signal still exists). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * [async] Removes the staging folders that processes killed while writing an outputs folder left
 * in `outputDir` (`.outputs-tmp-<pid>-*` of a pid that no longer runs). The server and the CLI
 * call it at start; a missing folder is fine.
 * @returns the folders removed
 */
export async function removeStaleStaging(outputDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(/^\.outputs-tmp-(\d+)-[0-9a-f]+$/.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    await rm(join(outputDir, name), { recursive: true, force: true });
    removed.push(join(outputDir, name));
  }
  return removed;
}

/**
 * [async] Writes an outputs folder under `outputDir` (created if needed).
 * @param outputDir parent folder, e.g. `outputs`
 * @param content files to write
 * @param now the time in the folder name
 * @returns the path of the folder
 * @throws InferenceError `E2V_ERR_OUTPUT_WRITE` when writing fails (the temporary folder is removed)
 */
export async function writeOutputsFolder(outputDir: string, content: OutputsContent, now = new Date()): Promise<string> {
  const staging = join(outputDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(staging, { recursive: true });
    await writeFile(join(staging, OUTPUT_FILES.audio), encodeWavPcm16(content.audio, content.sampleRate));
    await writeFile(join(staging, OUTPUT_FILES.result), `${JSON.stringify(content.result, null, 2)}\n`);
    if (content.embedding !== null) {
      await writeFile(join(staging, OUTPUT_FILES.embedding), encodeNpy(content.embedding.data, content.embedding.shape));
    }
    const base = outputsFolderName(now);
    for (let n = 0; n <= MAX_SUFFIX; n++) {
      const target = join(outputDir, n === 0 ? base : `${base}_${n}`);
      try {
        await rename(staging, target);
        return target;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // the name is taken by a non-empty folder (or a file): try the next suffix
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error;
      }
    }
    throw new Error(`every name from ${base} to ${base}_${MAX_SUFFIX} is taken`);
  } catch (cause) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw new InferenceError('E2V_ERR_OUTPUT_WRITE', `Cannot write the outputs folder in ${outputDir}: ${(cause as Error).message}`, { cause });
  }
}
