import { E2vError } from '@e2v/core';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, failureLine, FileError, OutputError, UsageError } from './errors.js';

describe('failureLine and exitCodeOf', () => {
  it('should print one line with the code of a typed error, and its exit code', () => {
    const full = new OutputError(
      'results',
      'writing results.jsonl',
      Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' }),
    );
    expect(failureLine(full, '3 files not done')).toBe(
      'e2v: E2V_ERR_CLI_OUTPUT_FULL: the disk of results is full (ENOSPC writing results.jsonl); 3 files not done\n',
    );
    expect(exitCodeOf(full)).toBe(74);
    const denied = new FileError('calls', Object.assign(new Error("EACCES: permission denied, scandir 'calls'"), { code: 'EACCES', syscall: 'scandir' }));
    expect(failureLine(denied)).toBe('e2v: E2V_ERR_CLI_FILE: cannot read calls: permission denied (EACCES)\n');
    expect(denied.systemCode).toBe('EACCES');
    expect(exitCodeOf(denied)).toBe(1);
    expect(failureLine(new E2vError('E2V_ERR_MODEL_NOT_FOUND', 'no model.json\nin models/x'))).toBe('e2v: E2V_ERR_MODEL_NOT_FOUND: no model.json\n');
    expect(exitCodeOf(new E2vError('E2V_ERR_MODEL_NOT_FOUND', 'x'))).toBe(1);
  });

  it('should print a usage error without its code, exit 2', () => {
    expect(failureLine(new UsageError('--k must be a number'))).toBe('e2v: --k must be a number\n');
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(Object.assign(new TypeError('Unknown option'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }))).toBe(2);
  });
});
