import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../errors.js';
import { errorFromReply, failureReply, isDecoderTrap } from './worker-protocol.js';

describe('worker protocol', () => {
  it('should carry a typed error across the thread boundary and rebuild it', () => {
    const reply = failureReply(7, new AudioDecodeError('E2V_ERR_AUDIO_TOO_LONG', 'too long', { format: 'flac' }));
    expect(reply).toEqual({ id: 7, ok: false, code: 'E2V_ERR_AUDIO_TOO_LONG', message: 'too long', format: 'flac', recycle: false });
    const rebuilt = errorFromReply(structuredClone(reply));
    expect(rebuilt).toBeInstanceOf(AudioDecodeError);
    expect(rebuilt).toMatchObject({ code: 'E2V_ERR_AUDIO_TOO_LONG', message: 'too long', format: 'flac' });
  });

  it('should retire the worker only when a decoder trapped', () => {
    const trap = new AudioDecodeError('E2V_ERR_AUDIO_CORRUPT', 'x', {
      format: 'mp3',
      cause: new (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly.RuntimeError('unreachable'),
    });
    const plain = new AudioDecodeError('E2V_ERR_AUDIO_CORRUPT', 'x', { format: 'mp3', cause: new Error('Not a WebM file') });
    expect(failureReply(1, trap).recycle).toBe(true);
    expect(failureReply(1, plain).recycle).toBe(false);
    expect(isDecoderTrap('abort()')).toBe(true); // Emscripten's abort throws a string
  });

  it('should turn anything else thrown into CORRUPT and retire the worker', () => {
    expect(failureReply(2, new TypeError('boom'))).toMatchObject({ code: 'E2V_ERR_AUDIO_CORRUPT', message: 'decoding failed: boom', recycle: true });
  });

  it('should map an unknown code to DECODER_CRASHED', () => {
    const error = errorFromReply({ id: 3, ok: false, code: 'E2V_ERR_SOMETHING' as never, message: 'm', format: undefined, recycle: false });
    expect(error.code).toBe('E2V_ERR_AUDIO_DECODER_CRASHED');
  });
});
