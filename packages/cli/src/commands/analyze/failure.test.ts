import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2vError } from '@e2v/core';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../errors.js';
import { outputsWriteError, toFailure } from './failure.js';

/** A real error of the file system. */
async function systemError(work: Promise<unknown>): Promise<Error> {
  return work.then(
    () => expect.unreachable('the operation should fail'),
    (error: unknown) => error as Error,
  );
}

describe('toFailure', () => {
  it('should map a raw file system error to E2V_ERR_CLI_FILE, keeping its code as the cause', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-failure-'));
    const isDir = await systemError(readFile(dir));
    expect(toFailure(isDir, dir)).toEqual({
      code: 'E2V_ERR_CLI_FILE',
      message: `cannot read ${dir}: illegal operation on a directory (EISDIR)`,
      cause: 'EISDIR',
    });
    const missing = await systemError(readFile(join(dir, 'gone.wav')));
    expect(toFailure(missing, 'gone.wav')).toEqual({
      code: 'E2V_ERR_CLI_FILE',
      message: 'cannot read gone.wav: no such file or directory (ENOENT)',
      cause: 'ENOENT',
    });
  });

  it('should keep the code of an e2v error, with the system code behind it when there is one', async () => {
    expect(toFailure(new E2vError('E2V_ERR_AUDIO_CORRUPT', 'truncated data chunk\nmore'), 'a.wav')).toEqual({
      code: 'E2V_ERR_AUDIO_CORRUPT',
      message: 'truncated data chunk',
    });
    const cause = await systemError(readFile('/nonexistent/e2v.wav'));
    expect(toFailure(new E2vError('E2V_ERR_INPUT_READ', 'cannot read', { cause }), 'a.wav')).toEqual({
      code: 'E2V_ERR_INPUT_READ',
      message: 'cannot read',
      cause: 'ENOENT',
    });
  });

  it('should give anything else E2V_ERR_CLI_UNEXPECTED, never a raw code', () => {
    expect(toFailure(new TypeError('x is not a function'), 'a.wav')).toEqual({
      code: 'E2V_ERR_CLI_UNEXPECTED',
      message: 'x is not a function',
      cause: 'TypeError',
    });
    expect(toFailure(Object.assign(new Error('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' }), 'a.wav')).toMatchObject({
      code: 'E2V_ERR_CLI_UNEXPECTED',
      cause: 'ERR_INVALID_ARG_TYPE',
    });
    expect(toFailure('thrown text', 'a.wav')).toEqual({ code: 'E2V_ERR_CLI_UNEXPECTED', message: 'thrown text', cause: 'string' });
  });
});

describe('outputsWriteError', () => {
  it("should stop the batch on the engine's outputs write error: full disk or other", async () => {
    const full = await systemError(writeFile('/dev/full', 'x'));
    const stop = outputsWriteError(new E2vError('E2V_ERR_OUTPUT_WRITE', 'Cannot write the outputs folder', { cause: full }), 'out/outputs');
    expect(stop).toBeInstanceOf(OutputError);
    expect(stop).toMatchObject({
      code: 'E2V_ERR_CLI_OUTPUT_FULL',
      exitCode: 74,
      message: 'the disk of out/outputs is full (ENOSPC writing an outputs folder)',
    });
    const dir = await mkdtemp(join(tmpdir(), 'e2v-failure-'));
    const isDir = await systemError(writeFile(dir, 'x'));
    expect(outputsWriteError(isDir, 'out/outputs')).toMatchObject({
      code: 'E2V_ERR_CLI_OUTPUT_WRITE',
      message: 'writing an outputs folder in out/outputs failed: illegal operation on a directory (EISDIR)',
    });
  });

  it("should leave a file's own failure to the file", () => {
    expect(outputsWriteError(new E2vError('E2V_ERR_AUDIO_CORRUPT', 'bad'), 'out/outputs')).toBeNull();
    expect(outputsWriteError(new TypeError('bug'), 'out/outputs')).toBeNull();
  });
});
