import { testModelDir } from '@e2v/testkit';
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine.js';
import { installExitGuard } from './exit-guard.js';

describe('the exit guard', () => {
  it('should leave process exit alone while only the library runs, and wait once an application installs it', async () => {
    const before = process.listeners('exit');
    const engine = await Engine.load(testModelDir('tiny-a'), { threads: 1 });
    try {
      await engine.analyze(new Float32Array(16000).map((_, i) => Math.sin(i / 7) * 0.1));
      expect(process.listeners('exit')).toEqual(before);
      installExitGuard();
      installExitGuard();
      expect(process.listeners('exit')).toHaveLength(before.length + 1);
    } finally {
      await engine.close();
    }
  });
});
