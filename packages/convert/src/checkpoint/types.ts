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
   * Reads one tensor as C-contiguous float32 (offsets and strides applied,
   * half/bfloat16 upcast).
   * @throws CheckpointError (E2V_ERR_CHECKPOINT_*) for a missing name or unreadable data
   */
  read(name: string): Promise<Float32Array>;
  /** Releases the file handle. */
  close(): Promise<void>;
}
