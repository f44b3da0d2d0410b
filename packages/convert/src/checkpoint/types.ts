/**
 * What the checkpoint reader gives the converter: tensor metadata up front,
 * tensor data on demand (streamed from the file, upcast to float32).
 * @module
 */

/** Storage types found in torch checkpoints that the reader upcasts to float32. */
export type SourceDtype = 'float32' | 'float16' | 'bfloat16';

/** One tensor of the state dict. */
export interface TensorInfo {
  /** Normalized key (see {@link CheckpointReader.tensors}). */
  name: string;
  /** Storage type in the file. */
  dtype: SourceDtype;
  /** Shape (C order after reading). */
  shape: readonly number[];
}

/**
 * An opened checkpoint. Holds no tensor data in memory: `read` streams one
 * tensor from the file each time it is called.
 */
export interface CheckpointReader {
  /**
   * Every tensor of the model's state dict, keyed by normalized name: the
   * fairseq `"model"` entry (or a bare / `state_dict` / `model_state_dict` dict)
   * with any `module.` and `d2v_model.` prefixes removed, e.g.
   * `modality_encoders.AUDIO.extra_tokens`, `blocks.0.attn.qkv.weight`, `proj.weight`.
   */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /**
   * State dict entries that are not tensors e2v reads, by normalized name: their key as stored
   * and what they are (e.g. an object of a global left inert). Harmless unless the model needs
   * one of them (see `requireTensors`).
   */
  readonly nonTensors: ReadonlyMap<string, { key: string; what: string }>;
  /**
   * Globals the checkpoint's pickle names that e2v left inert (`module.name`, sorted): training
   * state such as `argparse.Namespace`, meters, omegaconf containers. Never imported or run.
   */
  readonly ignoredGlobals: readonly string[];
  /** Bytes read from the file so far (zip directory, `data.pkl`, headers, the tensors read). */
  readonly bytesRead: number;
  /**
   * Reads one tensor as C-contiguous float32 (offsets and strides applied,
   * half/bfloat16 upcast).
   * @throws CheckpointError (E2V_ERR_CHECKPOINT_*) for a missing name or unreadable data
   */
  read(name: string): Promise<Float32Array>;
  /**
   * Checks that every name is a tensor of the state dict, before any is read.
   * @throws CheckpointError E2V_ERR_CHECKPOINT_NOT_A_TENSOR naming the key and what stands there
   *   (e.g. an object of an unknown global) for the first needed name that is not a tensor
   */
  requireTensors(names: Iterable<string>): void;
  /** Releases the file handle. */
  close(): Promise<void>;
}
