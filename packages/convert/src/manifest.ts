/**
 * `model.json`: the manifest of a converted model folder (design.md,
 * "Converted model folder"). It says what the graph expects and returns, so
 * the engine never has to look inside the ONNX file.
 *
 * Input contract: the graph input `waveform` [batch, samples] is 16 kHz mono
 * float32 and, when `normalize` is true (all emotion2vec+ models), ALREADY
 * layer-normed over the whole utterance by the caller: `(x - mean) /
 * sqrt(var + 1e-5)` with the biased variance, per utterance, never across a
 * padded batch. The graph does not normalize (a normalization inside the graph
 * would see a padded batch's zeros). Inputs shorter than `minInputSamples`
 * produce no frame and must be refused before running the graph
 * ({@link checkInputSamples}).
 * @module
 */

/** File name of the manifest inside a converted model folder. */
export const MANIFEST_FILE = 'model.json';

/** Current `formatVersion` of model.json. */
export const MANIFEST_FORMAT_VERSION = 1;

/** The model files of one graph variant, relative to the model folder. */
export interface VariantFiles {
  /** The ONNX graph, e.g. `model.onnx`. */
  model: string;
  /** Its external-data (weights) file, e.g. `model.onnx.data`. */
  data: string;
  /** Byte sizes of `model` and `data`. */
  bytes: { model: number; data: number };
}

/** Graph variants e2v writes. */
export type ModelVariant = 'fp32' | 'int8';

/** The content of `model.json`. */
export interface ModelManifest {
  /** Always `e2v-model`. */
  format: 'e2v-model';
  /** {@link MANIFEST_FORMAT_VERSION}. */
  formatVersion: number;
  /** Model name, e.g. `emotion2vec_plus_large`. */
  name: string;
  /**
   * Labels in logits order (tokens.txt order): key, Chinese name (the original WebUI guide's for
   * the nine emotion2vec+ keys, e.g. `愤怒`; tokens.txt's word for others) and the tokens.txt line
   * (`生气/angry`).
   */
  labels: { key: string; zh: string; token: string }[];
  /** Sample rate the graph expects: 16000. */
  sampleRate: number;
  /** Frames per second of `frames` (sample rate / total conv stride): 50. */
  frameRate: number;
  /** D, the size of `embedding` and of each frame. */
  embeddingDim: number;
  /** True: the caller layer-norms each waveform before the graph (see the module docs). */
  normalize: boolean;
  /** Epsilon of that layer norm (1e-5, torch `F.layer_norm` default). */
  normalizeEps: number;
  /** Fewest samples that give one frame (the conv stack's receptive field, 400). */
  minInputSamples: number;
  /** The default variant, described by the top-level `model` / `data` files. */
  variant: ModelVariant;
  /** Every variant in the folder. `fp32` is always there; `int8` after `--int8`. */
  variants: Partial<Record<ModelVariant, VariantFiles>> & { fp32: VariantFiles };
  /** Graph interface. */
  graph: {
    /** Operator sets used: `{ "": 17, "com.microsoft": 1 }` (the latter: ONNX Runtime contrib ops). */
    opsets: Record<string, number>;
    /** `waveform` [batch, samples]. */
    input: string;
    /** `frames` [batch, frames, D], `embedding` [batch, D], `logits` [batch, labels], `frame_logits` [batch, frames, labels]. */
    outputs: string[];
  };
  /**
   * Labels whose logits the graph sets to -inf (FunASR's `unuse*` masking,
   * `--mask-unused`): softmax gives them 0. Absent when nothing is masked.
   */
  maskedLabels?: { indices: number[]; keys: string[] };
  /**
   * The checkpoint files converted, with their sha256 (hex) and sizes, and the globals of
   * model.pt's pickle the converter left inert (training state such as `argparse.Namespace`).
   */
  source: { files: string[]; sha256: Record<string, string>; bytes: Record<string, number>; ignoredGlobals?: string[] };
  /** True when the source is a random model from `e2v model synth` (not a trained model). */
  random?: boolean;
  /** Who wrote the folder, and when (ISO 8601). */
  converter: { name: string; version: string; createdAt: string };
}

/**
 * Checks that a waveform is long enough for the model to produce a frame.
 * Call it before running the graph: with fewer samples one conv layer gets
 * an input shorter than its kernel, and ONNX Runtime fails with an opaque
 * `Conv ... Invalid input shape` (a runtime that allowed empty tensors would
 * return the NaN mean of zero frames instead).
 * @param manifest the model's manifest (only `minInputSamples` is used)
 * @param samples number of 16 kHz samples of one utterance
 * @throws RangeError naming the minimum when `samples` is too small
 */
export function checkInputSamples(manifest: Pick<ModelManifest, 'minInputSamples' | 'sampleRate'>, samples: number): void {
  if (!Number.isInteger(samples) || samples < manifest.minInputSamples) {
    const ms = (manifest.minInputSamples / manifest.sampleRate) * 1000;
    throw new RangeError(
      `Expected at least ${manifest.minInputSamples} samples (${ms} ms at ${manifest.sampleRate} Hz) for waveform but received ${samples}`,
    );
  }
}
