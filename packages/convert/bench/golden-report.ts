/**
 * Converts both golden checkpoints (fp32 + int8) into a temporary folder and
 * prints, per checkpoint and output, the largest |ONNX - FunASR| over the 7
 * golden inputs, plus the int8 variant's argmax agreement and largest score
 * difference against the fp32 reference. Not a test: the thresholds live in
 * src/convert.test.ts and src/onnx/quantize-int8.test.ts.
 *
 *   npx tsx bench/golden-report.ts
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../src/convert.js';
import { GOLDEN_CHECKPOINTS, GOLDEN_INPUTS, checkpointDir, goldenExpected, maxDiff as maxAbsDiff } from '@e2v/testkit';
import { goldenWaveform } from '../src/test-support/golden.js';
import { argmax, layerNormWaveform, softmax } from '../src/test-support/numeric.js';
import { openSession, runOne } from '../src/test-support/ort.js';

const work = await mkdtemp(join(tmpdir(), 'e2v-golden-report-'));
try {
  for (const ckpt of GOLDEN_CHECKPOINTS) {
    const report = await convertCheckpoint({ from: checkpointDir(ckpt), out: join(work, ckpt), int8: true });
    const fp32 = await openSession(join(report.out, 'model.onnx'));
    const int8 = await openSession(join(report.out, 'model.int8.onnx'));
    const worst = { frames: 0, embedding: 0, logits: 0, scores: 0 };
    const q = { agree: 0, scoreDiff: 0, logitDiff: 0, embeddingDiff: 0 };
    for (const input of GOLDEN_INPUTS) {
      const expected = goldenExpected(ckpt, input);
      const x = layerNormWaveform(goldenWaveform(input));
      const out = await runOne(fp32, x);
      const scores = softmax(out.logits!.data);
      worst.frames = Math.max(worst.frames, maxAbsDiff(out.frames!.data, expected.frames.data));
      worst.embedding = Math.max(worst.embedding, maxAbsDiff(out.embedding!.data, expected.embedding));
      worst.logits = Math.max(worst.logits, maxAbsDiff(out.logits!.data, expected.result.logits));
      worst.scores = Math.max(worst.scores, maxAbsDiff(scores, expected.result.scores));
      const qo = await runOne(int8, x);
      const qs = softmax(qo.logits!.data);
      if (argmax(qs) === argmax(expected.result.scores)) q.agree += 1;
      q.scoreDiff = Math.max(q.scoreDiff, maxAbsDiff(qs, expected.result.scores));
      q.logitDiff = Math.max(q.logitDiff, maxAbsDiff(qo.logits!.data, expected.result.logits));
      q.embeddingDiff = Math.max(q.embeddingDiff, maxAbsDiff(qo.embedding!.data, expected.embedding));
    }
    const files = Object.fromEntries(report.files.map((f) => [f.name, f.bytes]));
    console.log(
      JSON.stringify({
        checkpoint: ckpt,
        fp32MaxAbsDiff: worst,
        int8: {
          argmaxAgreement: `${q.agree}/${GOLDEN_INPUTS.length}`,
          maxScoreDiff: q.scoreDiff,
          maxLogitDiff: q.logitDiff,
          maxEmbeddingDiff: q.embeddingDiff,
        },
        files,
      }),
    );
    await fp32.release();
    await int8.release();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
