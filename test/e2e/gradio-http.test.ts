/**
 * The e2v server's HTTP routes at the wire level, as curl and the Python client use them (see
 * docs/gradio-api.md): /config, /info, upload, the two-step `/call` API, direct
 * calls, the queue (`queue/join` + `queue/data`), heartbeat, `file=` downloads, cancel/reset, a
 * full queue, /metrics and the REST API under `/api/v1`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWavPcm16 } from '@e2v/engine';
import { readNpy } from '@e2v/npy';
import { testModelDir } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIO_FIXTURES_DIR,
  GOLDEN_INPUTS_DIR,
  fileData,
  formOf,
  postJson,
  rawRequest,
  readEventStream,
  readFirstChunk,
  sseBlocks,
  startTestServer,
  uploadFiles,
  type TestServer,
} from '../support/e2e-server.js';

const SPEECH = readFileSync(join(GOLDEN_INPUTS_DIR, 'speech_16k_mono.wav'));
const SPEECH_8K = readFileSync(join(GOLDEN_INPUTS_DIR, 'speech_8k_mono.wav'));
const CORRUPT = readFileSync(join(AUDIO_FIXTURES_DIR, 'bad-mp3-truncated.mp3'));
const TEXT = readFileSync(join(AUDIO_FIXTURES_DIR, 'bad-text.txt'));
const EVENT_ID = /^[0-9a-f]{32}$/;

interface QueueMessage {
  msg: string;
  event_id: string | null;
  success?: boolean;
  output?: { data?: unknown[]; error?: unknown; is_generating?: boolean };
  [key: string]: unknown;
}

/** Parses a `queue/data` stream, checking every block is exactly one `data: <json>` line. */
function queueMessages(text: string): QueueMessage[] {
  expect(text).toMatch(/^(?:data: [^\n]+\n\n)+$/);
  return sseBlocks(text).map((block) => JSON.parse(block.data!) as QueueMessage);
}

let longWavBytes: Uint8Array | undefined;
/** Ten minutes of quiet noise as a WAV file: keeps the only worker busy for a good while. */
function longWav(): Uint8Array {
  let seed = 1;
  longWavBytes ??= encodeWavPcm16(
    Float32Array.from({ length: 600 * 16000 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.1),
    16000,
  );
  return longWavBytes;
}

/** Waits until a queued event has finished (its `/call` stream ends), without reading its session stream. */
async function waitForEvent(base: string, eventId: string): Promise<void> {
  const { text } = await readEventStream(`${base}/gradio_api/call/predict/${eventId}`);
  expect(text).toMatch(/^event: (?:complete|error)\n/);
}

let ts: TestServer;
let speechPath: string;

beforeAll(async () => {
  ts = await startTestServer({ modelDir: testModelDir('tiny-a') });
  [speechPath] = (await uploadFiles(ts.url, [{ bytes: SPEECH, filename: 'speech.wav' }])) as [string];
});

afterAll(async () => {
  await ts?.close();
});

describe('GET /config', () => {
  interface Config {
    version: string;
    api_prefix: string;
    protocol: string;
    root: string;
    enable_queue: boolean;
    components: { id: number; type: string; skip_api: boolean; props: Record<string, unknown> }[];
    dependencies: {
      id: number;
      targets: [number, string][];
      inputs: number[];
      outputs: number[];
      api_name: string;
      queue: boolean | null;
      show_api: boolean;
      api_visibility: string;
    }[];
  }

  it('should describe a Gradio 5 app on the sse_v3 protocol', async () => {
    const response = await fetch(`${ts.url}/config`);
    expect(response.status).toBe(200);
    const config = (await response.json()) as Config;
    expect(config).toMatchObject({ version: '5.49.1', api_prefix: '/gradio_api', protocol: 'sse_v3', root: ts.url, enable_queue: true });
  });

  it('should number dependencies by position and name only existing components', async () => {
    const config = (await (await fetch(`${ts.url}/config`)).json()) as Config;
    const ids = new Set(config.components.map((c) => c.id));
    config.dependencies.forEach((dependency, index) => {
      expect(dependency.id).toBe(index);
      for (const id of [...dependency.inputs, ...dependency.outputs, ...dependency.targets.map(([target]) => target)])
        expect(ids.has(id), `component ${id}`).toBe(true);
    });
    const [predict, loadExample] = config.dependencies;
    expect(predict).toMatchObject({ api_name: 'predict', inputs: [1, 2, 3], outputs: [5, 6, 7, 8, 9], queue: null, show_api: true, api_visibility: 'public' });
    expect(loadExample).toMatchObject({
      api_name: 'load_example',
      inputs: [10],
      outputs: [1, 2, 3],
      queue: false,
      show_api: false,
      api_visibility: 'undocumented',
    });
  });

  it('should describe the e2v app with the documented component ids', async () => {
    const config = (await (await fetch(`${ts.url}/config`)).json()) as Config;
    const byId = new Map(config.components.map((c) => [c.id, c]));
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((id) => byId.get(id)?.type)).toEqual([
      'audio',
      'radio',
      'checkbox',
      'button',
      'markdown',
      'label',
      'textbox',
      'file',
      'file',
      'dataset',
    ]);
    expect(byId.get(2)!.props).toMatchObject({
      choices: [
        ['utterance', 'utterance'],
        ['frame', 'frame'],
      ],
      value: 'utterance',
    });
    expect(byId.get(3)!.props).toMatchObject({ value: false });
    expect(byId.get(6)!.props).toMatchObject({ num_top_classes: 9 });
    expect(byId.get(4)!.skip_api).toBe(true);
    for (const id of [1, 2, 3, 5, 6, 7, 8, 9]) expect(byId.get(id)!.skip_api, `component ${id}`).toBe(false);
    const samples = byId.get(10)!.props.samples as [{ path: string; url: string; meta: object }, string, boolean][];
    expect(samples.length).toBeGreaterThan(0);
    expect(samples[0]![0]).toMatchObject({ url: `${ts.url}/gradio_api/file=${samples[0]![0].path}`, meta: { _type: 'gradio.FileData' } });
    expect((await fetch(samples[0]![0].url)).status).toBe(200);
  });

  it('should take root from the Host header', async () => {
    const response = await rawRequest(ts.url, '/config', { headers: { Host: `localhost:${ts.server.port}` } });
    expect(response.status).toBe(200);
    const config = JSON.parse(response.text) as Config;
    expect(config.root).toBe(`http://localhost:${ts.server.port}`);
    const dataset = config.components.find((c) => c.type === 'dataset')!;
    const samples = dataset.props.samples as [{ url: string }][];
    expect(samples[0]![0].url.startsWith(`http://localhost:${ts.server.port}/gradio_api/file=`)).toBe(true);
  });

  it('should take root from X-Forwarded-Host and X-Forwarded-Proto', async () => {
    const https = await rawRequest(ts.url, '/config', { headers: { 'X-Forwarded-Host': 'emotions.example.org, inner.example', 'X-Forwarded-Proto': 'https' } });
    expect((JSON.parse(https.text) as Config).root).toBe('https://emotions.example.org');
    const http = await rawRequest(ts.url, '/config', { headers: { 'X-Forwarded-Host': 'emotions.example.org:8080' } });
    expect((JSON.parse(http.text) as Config).root).toBe('http://emotions.example.org:8080');
  });

  it('should not let one request change the root others see', async () => {
    await rawRequest(ts.url, '/config', { headers: { 'X-Forwarded-Host': 'attacker.example' } });
    expect(((await (await fetch(`${ts.url}/config`)).json()) as Config).root).toBe(ts.url);
  });
});

describe('GET /gradio_api/info', () => {
  it.each(['/gradio_api/info', '/info', '/gradio_api/info?serialize=False'])('should list /predict and an empty unnamed_endpoints at %s', async (path) => {
    const response = await fetch(`${ts.url}${path}`);
    expect(response.status).toBe(200);
    const info = (await response.json()) as { named_endpoints: Record<string, { parameters: { parameter_name: string }[] }>; unnamed_endpoints: object };
    expect(Object.keys(info.named_endpoints)).toEqual(['/predict']);
    expect(info.unnamed_endpoints).toEqual({});
    expect(info.named_endpoints['/predict']!.parameters.map((p) => p.parameter_name)).toEqual(['audio', 'granularity', 'extract_embedding']);
  });

  it('should list load_example only with all_endpoints=true', async () => {
    const info = (await (await fetch(`${ts.url}/gradio_api/info?all_endpoints=true`)).json()) as { named_endpoints: object };
    expect(Object.keys(info.named_endpoints).sort()).toEqual(['/load_example', '/predict']);
  });
});

describe('POST /gradio_api/upload', () => {
  it('should store the parts and answer their server paths in order', async () => {
    const paths = await uploadFiles(ts.url, [
      { bytes: SPEECH_8K, filename: 'blob' },
      { bytes: SPEECH, filename: 'clip.wav' },
    ]);
    expect(paths).toHaveLength(2);
    for (const path of paths) expect(path.startsWith(`${ts.server.folders.uploadsDir}/`)).toBe(true);
    expect(paths[1]!.endsWith('/clip.wav')).toBe(true);
    expect(await readFile(paths[0]!)).toEqual(SPEECH_8K);
    expect(await readFile(paths[1]!)).toEqual(SPEECH);
    // <upload dir>/<sha256 of the content>/<name>
    expect(paths[1]).toBe(join(ts.server.folders.uploadsDir, createHash('sha256').update(SPEECH).digest('hex'), 'clip.wav'));
  });

  it('should accept the Gradio 4 path /upload', async () => {
    const response = await fetch(`${ts.url}/upload`, { method: 'POST', body: formOf([{ bytes: SPEECH, filename: 'a.wav' }]) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([expect.stringMatching(/\/a\.wav$/)]);
  });

  it('should answer 400 "Invalid content type." to a body that is not multipart', async () => {
    const response = await fetch(`${ts.url}/gradio_api/upload`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: SPEECH });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: 'Invalid content type.' });
  });
});

describe('the two-step /gradio_api/call API', () => {
  it('should answer an event id, then stream "event: complete" with the outputs', async () => {
    const post = await postJson(`${ts.url}/gradio_api/call/predict`, { data: [fileData(speechPath), 'frame', true] });
    expect(post.status).toBe(200);
    const { event_id: eventId } = (await post.json()) as { event_id: string };
    expect(eventId).toMatch(EVENT_ID);
    const { response, text } = await readEventStream(`${ts.url}/gradio_api/call/predict/${eventId}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const blocks = sseBlocks(text).filter((b) => b.event !== 'heartbeat');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.event).toBe('complete');
    const data = JSON.parse(blocks[0]!.data!) as [string, { confidences: unknown[] }, string, { url: string }, { url: string } | null];
    expect(data).toHaveLength(5);
    expect(data[1].confidences).toHaveLength(9);
    expect(data[4]).not.toBeNull();
  });

  it('should keep a finished result fetchable by its id', async () => {
    const { event_id: eventId } = (await (
      await postJson(`${ts.url}/gradio_api/call/predict`, { data: [fileData(speechPath), 'utterance', false], session_hash: 'curl-session' })
    ).json()) as { event_id: string };
    await readEventStream(`${ts.url}/gradio_api/call/predict/${eventId}`);
    const again = sseBlocks((await readEventStream(`${ts.url}/gradio_api/call/predict/${eventId}`)).text);
    expect(again.map((b) => b.event)).toEqual(['complete']);
  });

  it('should stream "event: error" with the message of a failed analysis', async () => {
    const [corrupt] = await uploadFiles(ts.url, [{ bytes: CORRUPT, filename: 'broken.mp3' }]);
    const { event_id: eventId } = (await (await postJson(`${ts.url}/gradio_api/call/predict`, { data: [fileData(corrupt!)] })).json()) as { event_id: string };
    const blocks = sseBlocks((await readEventStream(`${ts.url}/gradio_api/call/predict/${eventId}`)).text);
    expect(blocks.map((b) => b.event)).toEqual(['error']);
    expect(JSON.stringify(JSON.parse(blocks[0]!.data!))).toMatch(/mp3|audio|decode/i);
  });

  it('should stream one "event: error" for an unknown event id', async () => {
    const { response, text } = await readEventStream(`${ts.url}/gradio_api/call/predict/00000000000000000000000000000000`);
    expect(response.status).toBe(200);
    expect(sseBlocks(text).map((b) => b.event)).toEqual(['error']);
  });

  it('should answer 404 for an unknown api name', async () => {
    expect((await postJson(`${ts.url}/gradio_api/call/nope`, { data: [] })).status).toBe(404);
  });

  it('should answer 422 without data', async () => {
    const response = await postJson(`${ts.url}/gradio_api/call/predict`, { session_hash: 'x' });
    expect(response.status).toBe(422);
    expect(await response.json()).toHaveProperty('detail');
  });

  it('should answer 422 with a detail list for a bad granularity', async () => {
    const response = await postJson(`${ts.url}/gradio_api/call/predict`, { data: [fileData(speechPath), 'sentence', false] });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: { parameter_name: string }[] }).detail[0]).toMatchObject({
      __type__: 'validate',
      is_valid: false,
      parameter_name: 'granularity',
    });
  });
});

describe('direct calls (Gradio 3/4 layouts and @gradio/client for queue: false)', () => {
  it.each(['/api/predict', '/run/predict', '/gradio_api/run/predict', '/gradio_api/api/predict'])(
    'should answer 200 with the data list at %s',
    async (path) => {
      const response = await postJson(`${ts.url}${path}`, { data: [fileData(speechPath), 'utterance', false] });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: unknown[]; is_generating: boolean; duration: number };
      expect(body).not.toHaveProperty('error');
      expect(body.data).toHaveLength(5);
      expect(body.is_generating).toBe(false);
      expect(typeof body.duration).toBe('number');
      expect(body.data[4]).toBeNull();
    },
  );

  it('should run load_example at /gradio_api/run/load_example', async () => {
    const response = await postJson(`${ts.url}/gradio_api/run/load_example`, {
      data: [1],
      fn_index: 1,
      session_hash: 'abc',
      event_data: null,
      trigger_id: null,
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { __type__: string; value: unknown }[] };
    expect(data.map((d) => d.__type__)).toEqual(['update', 'update', 'update']);
    expect(data[1]!.value).toBe('frame');
    expect((data[0]!.value as { path: string }).path.startsWith(ts.server.folders.examplesDir)).toBe(true);
  });

  it('should answer 404 {"detail": "Not Found"} for an unknown name', async () => {
    const response = await postJson(`${ts.url}/api/nope`, { data: [] });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not Found' });
  });

  it('should answer a failed call with the error text and a 4xx status for bad input', async () => {
    const [corrupt] = await uploadFiles(ts.url, [{ bytes: CORRUPT, filename: 'broken.mp3' }]);
    const response = await postJson(`${ts.url}/api/predict`, { data: [fileData(corrupt!)] });
    const body = (await response.json()) as { error: string };
    expect(typeof body.error).toBe('string');
    expect(body.error.length).toBeGreaterThan(5);
    // Gradio answers every failure with 500; e2v keeps HTTP meaning (400 corrupt audio, 5xx only
    // for server faults). Clients read the `error` text whatever the status (packages/server/README.md).
    expect(response.status).toBe(400);
    expect(body).toMatchObject({ title: 'Error', visible: true });
  });

  it('should accept a Gradio 3 file object with a base64 data URL', async () => {
    const dataUrl = `data:audio/wav;base64,${SPEECH.toString('base64')}`;
    const response = await postJson(`${ts.url}/api/predict`, { data: [{ name: 'clip.wav', data: dataUrl, is_file: false }, 'utterance', false] });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: [string, { label: string }, string, { path: string; url: string }] };
    expect(data[3].path.startsWith(ts.server.folders.outputsDir)).toBe(true);
    expect((await fetch(data[3].url)).status).toBe(200);
  });

  it('should accept a bare base64 data URL string', async () => {
    const response = await postJson(`${ts.url}/run/predict`, { data: [`data:audio/wav;base64,${SPEECH_8K.toString('base64')}`] });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(5);
  });
});

describe('the queue: queue/join + queue/data as the Python client uses it', () => {
  it('should answer join with an event id, then stream estimation, process_starts, process_completed and close_stream', async () => {
    const session = 'py-session-1';
    const join = await postJson(`${ts.url}/gradio_api/queue/join`, { data: [fileData(speechPath), 'utterance', true], fn_index: 0, session_hash: session });
    expect(join.status).toBe(200);
    const { event_id: eventId } = (await join.json()) as { event_id: string };
    expect(eventId).toMatch(EVENT_ID);

    const { response, text } = await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=${session}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const messages = queueMessages(text).filter((m) => m.msg !== 'heartbeat');
    expect(messages.map((m) => m.msg)).toEqual(['estimation', 'process_starts', 'process_completed', 'close_stream']);
    for (const message of messages.slice(0, 3)) expect(message.event_id).toBe(eventId);
    expect(messages[0]).toMatchObject({ rank: 0, queue_size: expect.any(Number) });
    const completed = messages[2]!;
    expect(completed.success).toBe(true);
    expect(completed.output).not.toHaveProperty('error');
    expect(completed.output!.is_generating).toBe(false);
    expect(completed.output!.data).toHaveLength(5);
    expect(messages[3]).toEqual({ msg: 'close_stream', event_id: null });
  });

  it('should keep the messages produced before the stream opened', async () => {
    const session = 'py-session-late';
    const { event_id: eventId } = (await (
      await postJson(`${ts.url}/gradio_api/queue/join?`, { data: [fileData(speechPath), 'frame', false], fn_index: 0, session_hash: session })
    ).json()) as { event_id: string };
    await waitForEvent(ts.url, eventId);
    const messages = queueMessages((await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=${session}`)).text);
    expect(messages.map((m) => m.msg)).toEqual(['estimation', 'process_starts', 'process_completed', 'close_stream']);
    expect(messages[2]!.success).toBe(true);
  });

  it('should end the stream with close_stream only after every event of the session', async () => {
    const session = 'py-session-two';
    const ids: string[] = [];
    for (const granularity of ['utterance', 'frame']) {
      ids.push(
        (
          (await (
            await postJson(`${ts.url}/gradio_api/queue/join`, { data: [fileData(speechPath), granularity, false], fn_index: 0, session_hash: session })
          ).json()) as { event_id: string }
        ).event_id,
      );
    }
    const messages = queueMessages((await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=${session}`)).text).filter(
      (m) => m.msg !== 'heartbeat',
    );
    const completed = messages.filter((m) => m.msg === 'process_completed');
    expect(completed.map((m) => m.event_id).sort()).toEqual([...ids].sort());
    expect(messages.filter((m) => m.msg === 'close_stream')).toHaveLength(1);
    expect(messages.at(-1)!.msg).toBe('close_stream');
  });

  it('should report a failed analysis as process_completed with success false and the error text', async () => {
    const [corrupt] = await uploadFiles(ts.url, [{ bytes: CORRUPT, filename: 'broken.mp3' }]);
    const session = 'py-session-fail';
    await postJson(`${ts.url}/gradio_api/queue/join`, { data: [fileData(corrupt!), 'utterance', false], fn_index: 0, session_hash: session });
    const messages = queueMessages((await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=${session}`)).text);
    const completed = messages.find((m) => m.msg === 'process_completed')!;
    expect(completed.success).toBe(false);
    expect(completed.title).toBe('Error');
    expect(typeof completed.output!.error).toBe('string');
    expect(messages.at(-1)!.msg).toBe('close_stream');
    expect(messages.some((m) => m.msg === 'unexpected_error')).toBe(false);
  });

  it('should run load_example through the queue (Python always queues)', async () => {
    const session = 'py-session-example';
    await postJson(`${ts.url}/gradio_api/queue/join`, { data: [0], fn_index: 1, session_hash: session });
    const messages = queueMessages((await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=${session}`)).text);
    const completed = messages.find((m) => m.msg === 'process_completed')!;
    expect(completed.success).toBe(true);
    expect(completed.output!.data).toHaveLength(3);
  });

  it('should answer an unknown session with one unexpected_error (session_not_found) and end', async () => {
    const messages = queueMessages((await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=never-joined`)).text);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ msg: 'unexpected_error', session_not_found: true, success: false });
  });

  it('should answer 400 to a join without session_hash', async () => {
    const response = await postJson(`${ts.url}/gradio_api/queue/join`, { data: [fileData(speechPath)], fn_index: 0 });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: 'Session hash not found.' });
  });

  it('should answer 400 to a join with an unknown fn_index', async () => {
    const response = await postJson(`${ts.url}/gradio_api/queue/join`, { data: [], fn_index: 7, session_hash: 's' });
    expect(response.status).toBe(400);
    expect(await response.json()).toHaveProperty('detail');
  });

  it('should answer 422 with a detail list to a bad granularity', async () => {
    const response = await postJson(`${ts.url}/gradio_api/queue/join`, { data: [fileData(speechPath), 'paragraph', false], fn_index: 0, session_hash: 's422' });
    expect(response.status).toBe(422);
    const { detail } = (await response.json()) as { detail: { parameter_name: string; is_valid: boolean; message: string }[] };
    expect(detail).toEqual([expect.objectContaining({ __type__: 'validate', is_valid: false, parameter_name: 'granularity', message: expect.any(String) })]);
  });

  it('should answer queue/status with an estimation', async () => {
    const status = (await (await fetch(`${ts.url}/gradio_api/queue/status`)).json()) as { msg: string; queue_size: number };
    expect(status.msg).toBe('estimation');
    expect(typeof status.queue_size).toBe('number');
  });

  it('should carry rank_eta, the expected seconds, in estimation messages and queue/status once an analysis has finished', async () => {
    expect((await postJson(`${ts.url}/api/predict`, { data: [fileData(speechPath)] })).status).toBe(200); // one has finished
    const session = 'py-session-eta';
    const join = await postJson(`${ts.url}/gradio_api/queue/join`, { data: [fileData(speechPath), 'utterance', false], fn_index: 0, session_hash: session });
    expect(join.status).toBe(200);
    const estimations = queueMessages((await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=${session}`)).text).filter(
      (m) => m.msg === 'estimation',
    );
    expect(estimations.length).toBeGreaterThan(0);
    for (const message of estimations) expect(message.rank_eta).toBeGreaterThan(0);
    const status = (await (await fetch(`${ts.url}/gradio_api/queue/status`)).json()) as { rank_eta: unknown };
    expect(status.rank_eta).toBeGreaterThan(0);
  });

  it('should answer cancel and reset with {"success": true}', async () => {
    const cancel = await postJson(`${ts.url}/gradio_api/cancel`, { session_hash: 'x', fn_index: 0, event_id: 'deadbeef' });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toEqual({ success: true });
    const reset = await postJson(`${ts.url}/gradio_api/reset`, { event_id: 'deadbeef' });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ success: true });
  });
});

describe('the Gradio 4 layout and trailing slashes', () => {
  it('should serve the queue and the call API at the root too', async () => {
    const session = 'gradio4-session';
    const join = await postJson(`${ts.url}/queue/join`, { data: [fileData(speechPath)], fn_index: 0, session_hash: session });
    expect(join.status).toBe(200);
    const messages = queueMessages((await readEventStream(`${ts.url}/queue/data?session_hash=${session}`)).text);
    expect(messages.find((m) => m.msg === 'process_completed')!.success).toBe(true);
    const { event_id: eventId } = (await (await postJson(`${ts.url}/call/predict`, { data: [fileData(speechPath)] })).json()) as { event_id: string };
    expect(sseBlocks((await readEventStream(`${ts.url}/call/predict/${eventId}`)).text).map((b) => b.event)).toEqual(['complete']);
  });

  it('should accept a trailing slash', async () => {
    expect((await fetch(`${ts.url}/config/`)).status).toBe(200);
    expect((await fetch(`${ts.url}/gradio_api/info/`)).status).toBe(200);
    expect((await postJson(`${ts.url}/gradio_api/queue/join/`, { data: [fileData(speechPath)], fn_index: 0, session_hash: 'slash' })).status).toBe(200);
    expect((await postJson(`${ts.url}/gradio_api/run/predict/`, { data: [fileData(speechPath)] })).status).toBe(200);
  });
});

describe('GET /gradio_api/heartbeat/<session>', () => {
  it('should answer 200 text/event-stream with "data: ALIVE"', async () => {
    const { response, text } = await readFirstChunk(`${ts.url}/gradio_api/heartbeat/any-session`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(text.startsWith('data: ALIVE\n\n')).toBe(true);
  });
});

describe('file= downloads', () => {
  let resultUrl: string;
  let resultPath: string;

  beforeAll(async () => {
    const { data } = (await (await postJson(`${ts.url}/gradio_api/run/predict`, { data: [fileData(speechPath), 'utterance', true] })).json()) as {
      data: [unknown, unknown, unknown, { url: string; path: string }];
    };
    resultUrl = data[3].url;
    resultPath = data[3].path;
  });

  it('should serve an output as an attachment with nosniff', async () => {
    const response = await fetch(resultUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="result\.json"/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(await response.text()).toBe(await readFile(resultPath, 'utf8'));
  });

  it('should serve the same file at /file=<path> and HEAD it', async () => {
    expect((await fetch(`${ts.url}/file=${resultPath}`)).status).toBe(200);
    const head = await fetch(resultUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe((await readFile(resultPath)).length);
  });

  it('should answer a Range request with 206 and the bytes asked for', async () => {
    const response = await fetch(resultUrl, { headers: { Range: 'bytes=2-9' } });
    expect(response.status).toBe(206);
    const whole = await readFile(resultPath);
    expect(response.headers.get('content-range')).toBe(`bytes 2-9/${whole.length}`);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(whole.subarray(2, 10));
  });

  it('should answer a suffix range and refuse an unsatisfiable one with 416', async () => {
    const whole = await readFile(resultPath);
    const suffix = await fetch(resultUrl, { headers: { Range: 'bytes=-5' } });
    expect(suffix.status).toBe(206);
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(whole.subarray(whole.length - 5));
    const beyond = await fetch(resultUrl, { headers: { Range: `bytes=${whole.length + 10}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);
  });

  it('should serve an upload back', async () => {
    const response = await fetch(`${ts.url}/gradio_api/file=${speechPath}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(SPEECH);
  });
});

describe('GET /metrics', () => {
  it('should expose request counts, queue depth and inference time', async () => {
    const response = await fetch(`${ts.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const name of ['e2v_http_requests_total', 'e2v_queue_depth', 'e2v_inference_seconds']) expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    expect(text).toMatch(/^e2v_inference_seconds_count [1-9]/m);
  });
});

describe('REST API /api/v1', () => {
  interface AnalyzeBody {
    emotion: string;
    confidence: number;
    scores: Record<string, number>;
    granularity: string;
    frames: { rate: number; start_s: number[] } | null;
    embedding: number[] | number[][] | null;
    files: { result_json: string; embedding_npy: string | null; processed_audio: string } | null;
    log: string[];
  }

  it('should analyze a multipart upload', async () => {
    const form = formOf([{ field: 'audio', bytes: SPEECH, filename: 'speech.wav' }]);
    const response = await fetch(`${ts.url}/api/v1/analyze`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const body = (await response.json()) as AnalyzeBody;
    expect(Object.keys(body.scores)).toHaveLength(9);
    expect(body.confidence).toBe(body.scores[body.emotion]);
    expect(body.confidence).toBe(Math.max(...Object.values(body.scores)));
    expect(body).toMatchObject({ granularity: 'utterance', frames: null, embedding: null, files: null });
    expect(body.log.length).toBeGreaterThan(2);
  });

  it('should analyze a raw body with frames and the embedding inline', async () => {
    const response = await fetch(`${ts.url}/api/v1/analyze?granularity=frame&embedding=true`, {
      method: 'POST',
      headers: { 'Content-Type': 'audio/wav' },
      body: SPEECH,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as AnalyzeBody;
    expect(body.frames!.rate).toBe(50);
    const rows = body.embedding as number[][];
    expect(rows).toHaveLength(body.frames!.start_s.length);
    expect(rows[0]).toHaveLength(32);
  });

  it('should take the options from multipart fields too', async () => {
    const form = formOf([{ field: 'audio', bytes: SPEECH_8K, filename: 'a.wav' }]);
    form.append('embedding', 'true');
    const body = (await (await fetch(`${ts.url}/api/v1/analyze`, { method: 'POST', body: form })).json()) as AnalyzeBody;
    expect(body.embedding).toHaveLength(32);
    expect(typeof (body.embedding as number[])[0]).toBe('number');
  });

  it('should save the files and serve the links', async () => {
    const body = (await (await fetch(`${ts.url}/api/v1/analyze?save=true&embedding=true`, { method: 'POST', body: SPEECH })).json()) as AnalyzeBody;
    const files = body.files!;
    const result = await fetch(`${ts.url}${files.result_json}`);
    expect(result.status).toBe(200);
    expect(result.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(((await result.json()) as { emotion: string }).emotion).toBe(body.emotion);
    const npy = readNpy(Buffer.from(await (await fetch(`${ts.url}${files.embedding_npy!}`)).arrayBuffer()));
    expect(npy.shape).toEqual([32]);
    const wav = Buffer.from(await (await fetch(`${ts.url}${files.processed_audio}`)).arrayBuffer());
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(16000);
  });

  it('should answer corrupt audio with 400 and {error: {code, message}}', async () => {
    const response = await fetch(`${ts.url}/api/v1/analyze`, { method: 'POST', body: CORRUPT });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toMatch(/^E2V_ERR_/);
    expect(error.message.length).toBeGreaterThan(5);
  });

  it('should answer a text file with 415', async () => {
    const response = await fetch(`${ts.url}/api/v1/analyze`, {
      method: 'POST',
      body: formOf([{ field: 'audio', bytes: TEXT, filename: 'notes.txt', type: 'text/plain' }]),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('E2V_ERR_AUDIO_UNSUPPORTED');
  });

  it('should answer 400 to an empty body and to a multipart request without "audio"', async () => {
    expect((await fetch(`${ts.url}/api/v1/analyze`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`${ts.url}/api/v1/analyze`, { method: 'POST', body: formOf([{ field: 'file', bytes: SPEECH, filename: 'a.wav' }]) })).status).toBe(400);
  });

  it('should answer 400 to an unknown or invalid query parameter', async () => {
    const unknown = await fetch(`${ts.url}/api/v1/analyze?granularty=frame`, { method: 'POST', body: SPEECH });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'E2V_ERR_HTTP_BAD_PARAM',
      message: expect.stringMatching(/granularty/),
    });
    expect((await fetch(`${ts.url}/api/v1/analyze?granularity=word`, { method: 'POST', body: SPEECH })).status).toBe(400);
    expect((await fetch(`${ts.url}/api/v1/analyze?embedding=maybe`, { method: 'POST', body: SPEECH })).status).toBe(400);
  });

  it('should answer health, models and an unknown route', async () => {
    const health = await fetch(`${ts.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ready', ready: true, model: { name: 'tiny-a' } });
    const models = (await (await fetch(`${ts.url}/api/v1/models`)).json()) as { loaded: { name: string; embedding_dim: number; labels: unknown[] } };
    expect(models.loaded).toMatchObject({ name: 'tiny-a', embedding_dim: 32 });
    expect(models.loaded.labels).toHaveLength(9);
    const missing = await fetch(`${ts.url}/api/v1/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toMatch(/^E2V_ERR_/);
  });

  it('should publish an OpenAPI 3.1 document with the analyze path', async () => {
    const doc = (await (await fetch(`${ts.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toEqual(expect.any(String));
    const analyze = doc.paths['/api/v1/analyze']!.post!;
    expect(Object.keys(analyze.responses)).toEqual(expect.arrayContaining(['200', '400', '413', '415', '503']));
    expect(doc.paths['/api/v1/health']!.get).toBeDefined();
  });
});

describe('limits and states that need their own server', () => {
  it('should answer 413 to uploads over limits.maxUploadBytes (REST and Gradio)', async () => {
    const small = await startTestServer({ modelDir: testModelDir('tiny-a'), limits: { maxUploadBytes: 10_000 } });
    try {
      const raw = await fetch(`${small.url}/api/v1/analyze`, { method: 'POST', body: SPEECH });
      expect(raw.status).toBe(413);
      expect(((await raw.json()) as { error: { code: string } }).error.code).toMatch(/^E2V_ERR_/);
      const multipart = await fetch(`${small.url}/api/v1/analyze`, { method: 'POST', body: formOf([{ field: 'audio', bytes: SPEECH, filename: 'a.wav' }]) });
      expect(multipart.status).toBe(413);
      const gradio = await fetch(`${small.url}/gradio_api/upload`, { method: 'POST', body: formOf([{ bytes: SPEECH, filename: 'a.wav' }]) });
      expect(gradio.status).toBe(413);
      expect(gradio.headers.get('content-type')).toMatch(/^text\/plain/);
    } finally {
      await small.close();
    }
  });

  it('should answer 503 with the install command when no model is loaded', async () => {
    const empty = await startTestServer({ modelDir: undefined });
    try {
      const analyze = await fetch(`${empty.url}/api/v1/analyze`, { method: 'POST', body: SPEECH });
      expect(analyze.status).toBe(503);
      const { error } = (await analyze.json()) as { error: { code: string; message: string } };
      expect(error.message).toContain('pnpm e2v model pull');
      const health = await fetch(`${empty.url}/api/v1/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'not_ready', ready: false, install_command: expect.stringContaining('pnpm e2v model pull') });
      // The Gradio API still answers, and a prediction fails with the same advice.
      expect((await fetch(`${empty.url}/config`)).status).toBe(200);
      const [path] = await uploadFiles(empty.url, [{ bytes: SPEECH, filename: 'a.wav' }]);
      const { event_id: eventId } = (await (await postJson(`${empty.url}/gradio_api/call/predict`, { data: [fileData(path!)] })).json()) as {
        event_id: string;
      };
      const blocks = sseBlocks((await readEventStream(`${empty.url}/gradio_api/call/predict/${eventId}`)).text);
      expect(blocks[0]!.event).toBe('error');
      expect(blocks[0]!.data).toContain('pnpm e2v model pull');
    } finally {
      await empty.close();
    }
  });

  it('should accept only as many simultaneous joins as the queue holds (the others 503 at once)', async () => {
    const busy = await startTestServer({ modelDir: testModelDir('tiny-a'), concurrency: 1, maxQueued: 0 });
    try {
      const [longPath] = await uploadFiles(busy.url, [{ bytes: longWav(), filename: 'long.wav' }]);
      const joins = await Promise.all(
        ['a', 'b', 'c'].map((session) =>
          postJson(`${busy.url}/gradio_api/queue/join`, { data: [fileData(longPath!)], fn_index: 0, session_hash: `burst-${session}` }),
        ),
      );
      const accepted = await Promise.all(
        joins.map(async (r, i) => (r.status === 200 ? [`burst-${'abc'[i]}`, ((await r.json()) as { event_id: string }).event_id] : undefined)),
      );
      for (const entry of accepted) {
        if (entry !== undefined) await postJson(`${busy.url}/gradio_api/cancel`, { session_hash: entry[0], fn_index: 0, event_id: entry[1] });
      }
      // concurrency 1 + maxQueued 0: one runs, the others are refused with 503, not accepted and failed later.
      expect(joins.map((r) => r.status).sort()).toEqual([200, 503, 503]);
    } finally {
      await busy.close();
    }
  });

  it('should answer 503 to queue/join (and 429 to REST) while the queue is full, and cancel waiting and running events', async () => {
    const busy = await startTestServer({ modelDir: testModelDir('tiny-a'), concurrency: 1, maxQueued: 1 });
    try {
      const [longPath] = await uploadFiles(busy.url, [{ bytes: longWav(), filename: 'long.wav' }]);
      const join = async (session: string): Promise<Response> =>
        postJson(`${busy.url}/gradio_api/queue/join`, { data: [fileData(longPath!)], fn_index: 0, session_hash: session });
      const untilQueued = async (size: number): Promise<void> => {
        for (let i = 0; ; i++) {
          const status = (await (await fetch(`${busy.url}/gradio_api/queue/status`)).json()) as { queue_size: number };
          if (status.queue_size >= size) return;
          expect(i, `the queue never held ${size} analyses`).toBeLessThan(2000);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const running = ((await (await join('busy-running')).json()) as { event_id: string }).event_id;
      await untilQueued(1);
      const waitingJoin = await join('busy-waiting');
      expect(waitingJoin.status).toBe(200);
      const waiting = ((await waitingJoin.json()) as { event_id: string }).event_id;
      await untilQueued(2);

      const refused = await join('busy-refused');
      expect(refused.status).toBe(503);
      const rest = await fetch(`${busy.url}/api/v1/analyze`, { method: 'POST', body: SPEECH });
      expect(rest.status).toBe(429);
      expect(rest.headers.get('retry-after')).toMatch(/^\d+$/);

      // Cancelling ends each event with process_completed, an empty output, then close_stream.
      for (const [session, eventId] of [
        ['busy-waiting', waiting],
        ['busy-running', running],
      ] as const) {
        expect(await (await postJson(`${busy.url}/gradio_api/cancel`, { session_hash: session, fn_index: 0, event_id: eventId })).json()).toEqual({
          success: true,
        });
        const messages = queueMessages((await readEventStream(`${busy.url}/gradio_api/queue/data?session_hash=${session}`)).text);
        expect(
          messages.find((m) => m.msg === 'process_completed'),
          session,
        ).toMatchObject({ event_id: eventId, success: true, output: {} });
        expect(messages.at(-1)!.msg).toBe('close_stream');
      }
    } finally {
      await busy.close();
    }
  });
});
