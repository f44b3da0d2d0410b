/**
 * Child-process script for the exit-guard test: installs the guard as an application does,
 * starts a long inference with the model folder given as argument, and calls `process.exit(3)`
 * while ONNX Runtime is running it.
 * @module
 */
import { Engine } from '../engine.js';
import { installExitGuard } from '../infer/exit-guard.js';

installExitGuard();

const engine = await Engine.load(process.argv[2]!, { threads: 1, maxSegmentS: 60 });
const input = new Float32Array(16000 * 45).map((_, i) => Math.sin(i / 7) * 0.1);
void engine.analyze(input);
// the 45 s run takes about a second on the tiny model; exit well inside it
setTimeout(() => {
  process.stdout.write('exiting\n');
  process.exit(3);
}, 250);
