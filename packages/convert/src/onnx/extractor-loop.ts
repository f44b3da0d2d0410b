/**
 * The conv feature extractor run chunk by chunk in an ONNX `Loop`. The extractor is local: with
 * total stride S and receptive field R, frame f depends on samples [f*S, f*S + R) only (each
 * layer is a valid, strided Conv1d followed by a per-frame LayerNorm and GELU), so frames
 * [k*F, (k+1)*F) come from samples [k*F*S, k*F*S + (F-1)*S + R) alone and the concatenated chunks
 * equal the extractor on the whole input. Peak activation memory then follows the chunk, not the
 * input (a 30 s input's first conv layer alone is 96000 x 512 floats, 197 MB, per tensor).
 * @module
 */
import type { Emotion2vecConfig } from '../config/types.js';
import { type GraphBuilder, attr } from './graph.js';
import { DataType } from './onnx-proto.js';

/** What {@link extractInChunks} needs from the model graph. */
export interface ChunkedExtractorParts {
  /** The graph input, [B, N] float. */
  waveform: string;
  /** `Shape(waveform)[0:1]`, int64 [1]. */
  batch: string;
  /** Channels of the last conv layer. */
  channels: number;
  /** Frames per chunk (F). */
  chunkFrames: number;
  config: Pick<Emotion2vecConfig, 'audio'>;
  /** Emits the extractor on a [B, n] waveform into a builder and returns [B, frames, channels]. */
  extract(b: GraphBuilder, wave: string): string;
}

/** Total stride S and receptive field R of a conv stack `[channels, kernel, stride][]`. */
export function convGeometry(spec: readonly (readonly [number, number, number])[]): { stride: number; field: number } {
  let stride = 1;
  let field = 1;
  for (const [, kernel, layerStride] of spec) {
    field += (kernel - 1) * stride;
    stride *= layerStride;
  }
  return { stride, field };
}

/**
 * Emits the chunked extractor into `g` and returns its output, [B, T', channels].
 * @param g the model graph
 * @param parts the waveform, batch shape, chunk size and the extractor itself
 */
export function extractInChunks(g: GraphBuilder, parts: ChunkedExtractorParts): string {
  const spec = parts.config.audio.featureEncoderSpec;
  const { stride, field } = convGeometry(spec);
  const F = parts.chunkFrames;
  const one = g.int64s('i64_one', [1]);

  // T' = frames of the whole input, layer by layer: n = (n - kernel) / stride + 1 (the engine
  // refuses inputs shorter than the receptive field, so every difference is >= 0).
  let frames = g.op('Shape', [parts.waveform], { start: attr.int(1), end: attr.int(2) });
  spec.forEach(([, kernel, layerStride], i) => {
    frames = g.op('Add', [g.op('Div', [g.op('Sub', [frames, g.int64s(`conv${i}_kernel`, [kernel])]), g.int64s(`conv${i}_stride`, [layerStride])]), one]);
  });
  const trips = g.op('Squeeze', [g.op('Div', [g.op('Add', [frames, g.int64s('chunk_frames_minus_1', [F - 1])]), g.int64s('chunk_frames', [F])])], {});
  const emptyShape = g.op('Concat', [parts.batch, g.int64s('zero_and_channels', [0, parts.channels])], { axis: attr.int(0) });
  const empty = g.op('ConstantOfShape', [emptyShape], {
    value: attr.tensor({ name: 'zero', dataType: DataType.FLOAT, dims: [1], rawData: new Uint8Array(4) }),
  });
  const chunkStep = g.int64s('chunk_step_samples', [F * stride]);
  const chunkLength = g.int64s('chunk_samples', [(F - 1) * stride + field]);
  const samplesAxis = g.int64s('samples_axis', [1]);

  const body = g.subgraph('extractor_chunk');
  const index = body.input('chunk_index', DataType.INT64, []);
  const condition = body.input('chunk_condition', DataType.BOOL, []);
  const done = body.input('frames_so_far', DataType.FLOAT, ['batch', 'done_frames', parts.channels]);
  const start = body.op('Mul', [body.op('Unsqueeze', [index, g.int64s('axis0_chunk', [0])]), chunkStep]);
  const chunk = body.op('Slice', [parts.waveform, start, body.op('Add', [start, chunkLength]), samplesAxis]);
  const features = parts.extract(body, chunk);
  body.output(body.op('Identity', [condition]), 'chunk_condition_out', DataType.BOOL, []);
  body.output(body.op('Concat', [done, features], { axis: attr.int(1) }), 'frames_so_far_out', DataType.FLOAT, ['batch', 'frames', parts.channels]);

  return g.op('Loop', [trips, '', empty], { body: attr.graph(body.toSubgraphProto()) });
}
