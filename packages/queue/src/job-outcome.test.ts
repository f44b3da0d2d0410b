import { E2vError, type Result } from '@e2v/core';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { decodeOutcome, encodeOutcome, failureOf, isBadInput, jobFailure } from './job-outcome.js';

const result = { emotion: 'happy' } as unknown as Result;

describe('encodeOutcome / decodeOutcome', () => {
  it('should carry a frame embedding bit for bit through JSON', () => {
    const data = Float32Array.from([0.1, -2.5e-7, 3, Number.MIN_VALUE, 1 / 3, 7]);
    const stored = JSON.parse(JSON.stringify(encodeOutcome({ result, embedding: { data, shape: [3, 2] } })));
    const back = decodeOutcome(stored);
    expect(back.embedding?.shape).toEqual([3, 2]);
    expect([...back.embedding!.data]).toEqual([...data]);
    expect(back.result).toEqual(result);
  });

  it('should carry no embedding as null', () => {
    expect(decodeOutcome(encodeOutcome({ result, embedding: null }))).toEqual({ result, embedding: null });
  });
});

describe('jobFailure / failureOf', () => {
  it('should make a bad input unrecoverable and keep its code', () => {
    const thrown = jobFailure(new E2vError('E2V_ERR_AUDIO_CORRUPT', 'not audio\nmore'));
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect(failureOf(thrown.message)).toMatchObject({ code: 'E2V_ERR_AUDIO_CORRUPT', message: 'not audio' });
  });

  it('should leave an infrastructure failure retryable', () => {
    const thrown = jobFailure(new E2vError('E2V_ERR_INFER_CRASHED', 'crashed'));
    expect(thrown).not.toBeInstanceOf(UnrecoverableError);
    expect(failureOf(jobFailure(new Error('boom')).message)).toMatchObject({ code: 'E2V_ERR_QUEUE_WORKER', message: 'boom' });
  });

  it('should give a reason without a code (a stalled job) the worker code', () => {
    expect(failureOf('job stalled more than allowable limit')).toMatchObject({ code: 'E2V_ERR_QUEUE_WORKER' });
  });
});

describe('isBadInput', () => {
  it('should count audio, input, payload and veto failures as bad input, not timeouts or crashes', () => {
    expect(['E2V_ERR_AUDIO_EMPTY', 'E2V_ERR_INPUT_TOO_SHORT', 'E2V_ERR_QUEUE_PAYLOAD_EXPIRED', 'E2V_ERR_PLUGIN_VETO'].map(isBadInput)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['E2V_ERR_AUDIO_TIMEOUT', 'E2V_ERR_INFER_CRASHED', 'E2V_ERR_QUEUE_WORKER'].map(isBadInput)).toEqual([false, false, false]);
  });
});
