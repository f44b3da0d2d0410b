import { E2vError } from '@e2v/core';
import { describe, expect, it } from 'vitest';
import { AUDIO_ERROR_CODES, AudioDecodeError, isAudioErrorCode } from './errors.js';

describe('AudioDecodeError', () => {
  it('should be an E2vError with a stable code, a name, the format and the cause', () => {
    const cause = new Error('inner');
    const error = new AudioDecodeError('E2V_ERR_AUDIO_CORRUPT', 'bad data', { format: 'mp3', cause });
    expect(error).toBeInstanceOf(E2vError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AudioDecodeError');
    expect(error.code).toBe('E2V_ERR_AUDIO_CORRUPT');
    expect(error.format).toBe('mp3');
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('AudioDecodeError: bad data');
  });

  it('should leave format and cause undefined when not given', () => {
    const error = new AudioDecodeError('E2V_ERR_AUDIO_EMPTY', 'empty');
    expect(error.format).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('should follow the E2V_ERR_<AREA>_<WHAT> pattern for every code', () => {
    for (const code of AUDIO_ERROR_CODES) expect(code).toMatch(/^E2V_ERR_AUDIO_[A-Z_]+$/);
    expect(new Set(AUDIO_ERROR_CODES).size).toBe(AUDIO_ERROR_CODES.length);
  });

  it('should recognise its own codes only', () => {
    expect(isAudioErrorCode('E2V_ERR_AUDIO_TIMEOUT')).toBe(true);
    expect(isAudioErrorCode('E2V_ERR_NATIVE_LOAD')).toBe(false);
    expect(isAudioErrorCode(undefined)).toBe(false);
  });
});

describe('engine errors', () => {
  it('should carry stable codes, names and details', async () => {
    const { AbortedError, InferenceError, InputError, ModelLoadError, QueueFullError, MODEL_ERROR_CODES, INPUT_ERROR_CODES, INFERENCE_ERROR_CODES } =
      await import('./errors.js');
    const model = new ModelLoadError('E2V_ERR_MODEL_LABELS', '/m', 'bad');
    expect([model.name, model.code, model.modelDir, model instanceof E2vError]).toEqual(['ModelLoadError', 'E2V_ERR_MODEL_LABELS', '/m', true]);
    const queue = new QueueFullError(4);
    expect([queue.name, queue.code, queue.queueDepth]).toEqual(['QueueFullError', 'E2V_ERR_ENGINE_QUEUE_FULL', 4]);
    const reason = new Error('r');
    const aborted = new AbortedError(reason);
    expect([aborted.name, aborted.code, aborted.cause]).toEqual(['AbortedError', 'E2V_ERR_ENGINE_ABORTED', reason]);
    expect(new InputError('E2V_ERR_INPUT_TOO_SHORT', 'x').name).toBe('InputError');
    expect(new InferenceError('E2V_ERR_INFER_FAILED', 'x').name).toBe('InferenceError');
    const all = [...MODEL_ERROR_CODES, ...INPUT_ERROR_CODES, ...INFERENCE_ERROR_CODES, 'E2V_ERR_ENGINE_QUEUE_FULL', 'E2V_ERR_ENGINE_ABORTED'];
    for (const code of all) expect(code).toMatch(/^E2V_ERR_[A-Z0-9]+_[A-Z_]+$/);
    expect(new Set(all).size).toBe(all.length);
  });
});
