import { E2vError } from '@e2v/native';
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
