/**
 * An example e2v plugin, a plain ES module (no build step).
 *
 * - `onResult` tags every result: `result.plugins["low-confidence"] = { low, threshold, tag? }`,
 *   `low` being true when the top emotion's confidence is below `threshold`.
 * - `beforeAnalyze` refuses inputs whose file extension is in `refuseExtensions`.
 * - `setup` / `close` count the tagged results in the plugin's private state folder.
 *
 * Options: `{ "threshold": 0.6, "tag": "review", "refuseExtensions": [".txt"] }` (all optional).
 *
 * The `@type` comment gives editors the full plugin types without importing anything at run
 * time; with TypeScript, write `export default definePlugin({ ... })` from `@e2v/plugins`.
 * @module
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

/**
 * @typedef {{ threshold: number, tag: string | undefined, refuseExtensions: string[] }} Options
 * @typedef {{ counter: string, tagged: number }} State
 */

/** @type {import('@e2v/plugins').Plugin<Options, State>} */
const plugin = {
  name: 'low-confidence',
  version: '1.0.0',

  // Validate the raw options and fill in defaults. A throw fails start-up with
  // E2V_ERR_PLUGIN_OPTIONS and this message.
  parseOptions(raw = {}) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError('Expected an options object');
    for (const key of Object.keys(raw)) {
      if (!['threshold', 'tag', 'refuseExtensions'].includes(key)) throw new TypeError(`Unknown option ${key}`);
    }
    const { threshold = 0.6, tag, refuseExtensions = [] } = /** @type {Record<string, unknown>} */ (raw);
    if (typeof threshold !== 'number' || threshold < 0 || threshold > 1) throw new RangeError('Expected threshold in [0, 1]');
    if (tag !== undefined && typeof tag !== 'string') throw new TypeError('Expected a string for tag');
    if (!Array.isArray(refuseExtensions) || !refuseExtensions.every((e) => typeof e === 'string')) {
      throw new TypeError('Expected an array of strings for refuseExtensions');
    }
    return { threshold, tag, refuseExtensions: refuseExtensions.map((e) => e.toLowerCase()) };
  },

  // Runs once at start-up. ctx.stateDir is this plugin's own folder; the return value is ctx.state.
  async setup(ctx, options) {
    const counter = join(ctx.stateDir, 'tagged.txt');
    const tagged = Number(await readFile(counter, 'utf8').catch(() => '0'));
    ctx.log.info({ threshold: options.threshold, tagged }, 'low-confidence plugin ready');
    return { counter, tagged };
  },

  hooks: {
    beforeAnalyze({ input }, { options }) {
      const ext = extname(input.name).toLowerCase();
      if (options.refuseExtensions.includes(ext)) return { veto: `${ext} files are not analyzed here` };
      return undefined;
    },

    onResult({ result }, { options, state }) {
      const low = result.confidence < options.threshold;
      if (low) state.tagged++;
      return { low, threshold: options.threshold, ...(low && options.tag !== undefined ? { tag: options.tag } : {}) };
    },
  },

  // Runs once at shutdown (in reverse setup order).
  // Whole-file writes go to a temporary name first, then rename: the file is complete or absent.
  async close({ state }) {
    await writeFile(`${state.counter}.tmp`, `${state.tagged}\n`);
    await rename(`${state.counter}.tmp`, state.counter);
  },
};

export default plugin;
