/**
 * The server's disks (issue 12, part 5): a full uploads disk and a full outputs disk, produced for
 * real on a 2 MB tmpfs, give typed answers and a degraded /api/v1/health until a write succeeds;
 * a result computed while the outputs disk is full still reaches REST and Gradio clients; at start
 * the server removes stale staging folders and what retention says, keeping what is in use.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testModelDir } from '@e2v/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GOLDEN_INPUTS_DIR,
  fileData,
  formOf,
  postJson,
  readEventStream,
  sseBlocks,
  startTestServer,
  uploadFiles,
  type TestServer,
} from '../support/e2e-server.js';
import { mountTmpfs, TMPFS_UNAVAILABLE, type Tmpfs } from '../support/tmpfs.js';

const SPEECH = readFileSync(join(GOLDEN_INPUTS_DIR, 'speech_8k_mono.wav'));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tmpfs(): Promise<Tmpfs> {
  const disk = await mountTmpfs('2m');
  cleanups.push(() => disk.remove());
  return disk;
}

async function server(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const ts = await startTestServer({ modelDir: testModelDir('tiny-a'), ...options });
  cleanups.push(() => ts.close());
  return ts;
}

async function health(ts: TestServer): Promise<Record<string, unknown>> {
  return (await fetch(`${ts.url}/api/v1/health`)).json() as Promise<Record<string, unknown>>;
}

describe.skipIf(TMPFS_UNAVAILABLE !== undefined)(
  `full disks on a 2 MB tmpfs${TMPFS_UNAVAILABLE === undefined ? '' : ` (skipped: ${TMPFS_UNAVAILABLE})`}`,
  () => {
    it('should answer uploads to a full disk with 507 E2V_ERR_HTTP_UPLOADS_FULL, leave nothing, and report it until an upload succeeds', async () => {
      const disk = await tmpfs();
      const ts = await server({ dataDir: disk.dir });
      const filler = await disk.fill();

      const gradio = await fetch(`${ts.url}/gradio_api/upload`, { method: 'POST', body: formOf([{ bytes: SPEECH, filename: 'a.wav' }]) });
      expect(gradio.status).toBe(507);
      expect(gradio.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await gradio.json()).toEqual({ detail: expect.stringContaining('full') });
      const rest = await fetch(`${ts.url}/api/v1/analyze`, { method: 'POST', body: SPEECH });
      expect(rest.status).toBe(507);
      expect(await rest.json()).toMatchObject({ error: { code: 'E2V_ERR_HTTP_UPLOADS_FULL' } });
      expect(await readdir(ts.server.folders.uploadsDir)).toEqual([]);
      expect(await health(ts)).toMatchObject({ status: 'degraded', ready: true, storage: { uploads: 'full', outputs: 'ok' } });

      await rm(filler);
      expect((await uploadFiles(ts.url, [{ bytes: SPEECH, filename: 'a.wav' }])).length).toBe(1);
      expect(await health(ts)).toMatchObject({ status: 'ready', storage: { uploads: 'ok', outputs: 'ok' } });
    });

    it('should return results computed while the outputs disk is full, with a typed warning and null files, to REST and Gradio', async () => {
      const disk = await tmpfs();
      const ts = await server({ outputsDir: disk.dir });
      const filler = await disk.fill();

      const rest = await fetch(`${ts.url}/api/v1/analyze?save=true`, { method: 'POST', body: SPEECH });
      expect(rest.status).toBe(200);
      const body = (await rest.json()) as { emotion: string; files: unknown; warnings: unknown[]; log: string[] };
      expect(body.emotion).toEqual(expect.any(String));
      expect(body.files).toBeNull();
      expect(body.warnings).toEqual([{ code: 'E2V_WARN_OUTPUTS_NOT_SAVED', message: 'The result was not saved: the outputs disk is full' }]);
      expect(await health(ts)).toMatchObject({ status: 'degraded', storage: { outputs: 'full', uploads: 'ok' } });

      const [path] = await uploadFiles(ts.url, [{ bytes: SPEECH, filename: 'a.wav' }]);
      const call = await postJson(`${ts.url}/gradio_api/call/predict`, { data: [fileData(path!), 'utterance', true] });
      const { event_id: eventId } = (await call.json()) as { event_id: string };
      const [complete] = sseBlocks((await readEventStream(`${ts.url}/gradio_api/call/predict/${eventId}`)).text).filter((b) => b.event !== 'heartbeat');
      expect(complete!.event).toBe('complete');
      const data = JSON.parse(complete!.data!) as unknown[];
      expect(data[0]).toMatch(/^## /);
      expect(data[2]).toContain('warning E2V_WARN_OUTPUTS_NOT_SAVED: The result was not saved: the outputs disk is full');
      expect(data.slice(3)).toEqual([null, null]);
      expect((await readdir(disk.dir)).sort()).toEqual(['filler.bin']); // no staging folder left

      await rm(filler);
      const saved = (await (await fetch(`${ts.url}/api/v1/analyze?save=true`, { method: 'POST', body: SPEECH })).json()) as {
        files: unknown;
        warnings: unknown[];
      };
      expect(saved.files).not.toBeNull();
      expect(saved.warnings).toEqual([]);
      expect(await health(ts)).toMatchObject({ status: 'ready', storage: { outputs: 'ok', uploads: 'ok' } });
    });
  },
);

describe('at start', () => {
  /** A pid no process has (a child that has exited). */
  const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

  /** A new temporary folder, removed after the test. */
  async function folder(): Promise<string> {
    const tmp = await mkdtemp(join(tmpdir(), 'e2v-start-'));
    cleanups.push(() => rm(tmp, { recursive: true, force: true }));
    return tmp;
  }

  /** An entry folder with one file, last written `hours` ago. */
  async function oldEntry(path: string, hours: number): Promise<void> {
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'file.bin'), new Uint8Array(1000));
    const when = new Date(Date.now() - hours * 3600_000);
    await utimes(join(path, 'file.bin'), when, when);
    await utimes(path, when, when);
  }

  it('should remove stale staging folders, uploads past 24 h, and keep outputs by default', async () => {
    const tmp = await folder();
    const uploads = join(tmp, 'data', 'uploads');
    const outputs = join(tmp, 'outputs');
    const oldUpload = 'a'.repeat(64);
    const newUpload = 'b'.repeat(64);
    await oldEntry(join(uploads, oldUpload), 30);
    await oldEntry(join(uploads, newUpload), 1);
    await oldEntry(join(uploads, 'not-ours'), 30);
    await oldEntry(join(outputs, 'outputs_20200101_000000'), 24 * 365);
    await mkdir(join(outputs, `.outputs-tmp-${deadPid()}-0123456789ab`));
    await mkdir(join(outputs, `.outputs-tmp-${process.pid}-0123456789ab`));

    const ts = await server({ modelDir: undefined, dataDir: join(tmp, 'data'), outputsDir: outputs });
    expect((await readdir(ts.server.folders.uploadsDir)).sort()).toEqual([newUpload, 'not-ours']);
    expect((await readdir(ts.server.folders.outputsDir)).sort()).toEqual([`.outputs-tmp-${process.pid}-0123456789ab`, 'outputs_20200101_000000']);
  });

  it('should apply opt-in outputs retention and a size limit on uploads, oldest first', async () => {
    const tmp = await folder();
    const uploads = join(tmp, 'data', 'uploads');
    const outputs = join(tmp, 'outputs');
    for (const [index, hours] of [3, 2, 1].entries()) await oldEntry(join(uploads, String(index).repeat(64)), hours);
    await oldEntry(join(outputs, 'outputs_20200101_000000'), 48);
    await oldEntry(join(outputs, 'outputs_20200102_000000'), 2);

    const ts = await server({
      modelDir: undefined,
      dataDir: join(tmp, 'data'),
      outputsDir: outputs,
      uploadsRetention: { maxBytes: 2500 },
      outputsRetention: { maxAgeMs: 24 * 3600_000 },
    });
    expect((await readdir(ts.server.folders.uploadsDir)).sort()).toEqual(['1'.repeat(64), '2'.repeat(64)]);
    expect(await readdir(ts.server.folders.outputsDir)).toEqual(['outputs_20200102_000000']);
  });
});
