/**
 * Entry point of an inference thread: holds one ONNX Runtime session and runs it on request.
 * onnxruntime-node's `session.run` executes synchronously on the calling thread (its promise
 * only defers the start), so the engine keeps the session here, off the main event loop.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { FloatTensor, IoMeta, WorkerReply, WorkerRequest } from './ort-protocol.js';

if (!parentPort) throw new Error('inference worker: must be started as a worker thread');
const port = parentPort;
let session: ort.InferenceSession | undefined;
/** 1 while ORT runs (read by the main thread's exit guard). */
let busy: Int32Array | undefined;

/**
 * ORT session config entries. Denormals are flushed to zero: ALiBi biases push most attention
 * probabilities of long inputs below 1e-38, and x86 CPUs handle such subnormal floats in
 * microcode, 3x slower per MultiHeadAttention block (full-size model, 20 s: 1.14 s of attention
 * instead of 0.35 s on an AVX-512 Xeon); values that small add nothing to a float32 sum.
 */
function sessionConfig(prepackWeights: boolean): Record<string, string> {
  return { set_denormal_as_zero: '1', ...(prepackWeights ? {} : { disable_prepacking: '1' }) };
}

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function meta(list: readonly ort.InferenceSession.ValueMetadata[]): IoMeta[] {
  return list.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: undefined, shape: [] }));
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.kind) {
    case 'open': {
      busy = new Int32Array(request.busy);
      const t0 = performance.now();
      try {
        const { prepackWeights, ...settings } = request.settings;
        session = await ort.InferenceSession.create(request.modelPath, {
          ...settings,
          executionProviders: ['cpu'],
          extra: { session: sessionConfig(prepackWeights) },
        });
        reply({ kind: 'opened', inputs: meta(session.inputMetadata), outputs: meta(session.outputMetadata), ms: performance.now() - t0 });
      } catch (error) {
        reply({ kind: 'open-failed', message: (error as Error).message });
      }
      return;
    }
    case 'run': {
      if (session === undefined) {
        reply({ kind: 'run-failed', id: request.id, message: 'no session is open' });
        return;
      }
      const t0 = performance.now();
      try {
        const feeds = { [request.input]: new ort.Tensor('float32', request.waveform, [1, request.waveform.length]) };
        let result: ort.InferenceSession.ReturnType;
        if (busy !== undefined) Atomics.store(busy, 0, 1);
        try {
          result = await session.run(feeds);
        } finally {
          if (busy !== undefined) {
            Atomics.store(busy, 0, 0);
            Atomics.notify(busy, 0);
          }
        }
        const outputs: Record<string, FloatTensor> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, value] of Object.entries(result)) {
          if (!(value.data instanceof Float32Array)) throw new TypeError(`output ${name} is ${value.type}, expected float32`);
          // copy into a buffer of our own: ORT's output may view a larger or shared buffer
          const data = new Float32Array(value.data);
          outputs[name] = { data, dims: [...value.dims] };
          transfer.push(data.buffer);
          value.dispose();
        }
        reply({ kind: 'result', id: request.id, outputs, ms: performance.now() - t0 }, transfer);
      } catch (error) {
        reply({ kind: 'run-failed', id: request.id, message: (error as Error).message });
      }
      return;
    }
    case 'close': {
      await session?.release();
      session = undefined;
      reply({ kind: 'closed' });
      port.close();
      return;
    }
  }
}

// one request at a time, in arrival order
let chain = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  chain = chain.then(() => handle(request));
});
