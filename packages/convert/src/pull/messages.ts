/**
 * The wording of pull failures: offline (with the manual-placement steps), HTTP
 * statuses (404, 401/403, 5xx), each a one-line `PullError`.
 * @module
 */
import path from 'node:path';
import { PullError } from '../errors.js';
import type { Exchange, NetworkFailure } from './http.js';
import { filesPageUrl } from './hubs.js';
import type { HubSource, RegistryModel } from '@e2v/core';

/** Display names of the hubs. */
export const HUB_NAMES: Record<HubSource, string> = { huggingface: 'Hugging Face', modelscope: 'ModelScope' };

/** A path relative to the working folder when it is inside it, else absolute. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/**
 * The one-line "how to do it by hand" advice: which files, from which pages, and the convert command.
 * @param model registry entry
 * @param outDir where the converted model goes
 */
export function manualHint(model: RegistryModel, outDir: string): string {
  const files = model.files.map((f) => f.name);
  const list = files.length > 1 ? `${files.slice(0, -1).join(', ')} and ${files[files.length - 1] ?? ''}` : files.join('');
  return (
    `To install ${model.id} by hand, download ${list} from ${filesPageUrl('huggingface', model)} ` +
    `or ${filesPageUrl('modelscope', model)} into a folder DIR, then run: e2v model convert --from DIR --out ${displayPath(outDir)}`
  );
}

/**
 * `E2V_ERR_PULL_OFFLINE` (host unreachable, DNS failure, connect timeout) or `E2V_ERR_PULL_NETWORK`
 * (connection failed after retries), both with the manual steps.
 */
export function networkError(err: NetworkFailure, model: RegistryModel, outDir: string): PullError {
  if (err.unreachable) {
    const why = err.code === 'TIMEOUT' ? `no answer within the connect timeout` : err.code;
    return new PullError('E2V_ERR_PULL_OFFLINE', `Cannot reach ${err.host} (${why}): the network is unreachable. ${manualHint(model, outDir)}`, { cause: err });
  }
  return new PullError(
    'E2V_ERR_PULL_NETWORK',
    `The connection to ${err.host} failed (${err.code}: ${err.message}). Run the same command again to resume. ${manualHint(model, outDir)}`,
    { cause: err },
  );
}

/** How to switch to the other hub, for messages. */
function otherHub(source: HubSource): string {
  return source === 'huggingface'
    ? 'the ModelScope hub (--source modelscope, or E2V_MODEL_SOURCE=modelscope)'
    : 'the Hugging Face hub (--source huggingface, or E2V_MODEL_SOURCE=huggingface)';
}

/**
 * Builds the error for a final HTTP status of one file: `E2V_ERR_PULL_NOT_FOUND` (404),
 * `E2V_ERR_PULL_UNAUTHORIZED` (401/403, with how to log in), `E2V_ERR_PULL_HTTP` (5xx/429 after retries, others).
 */
export function httpErrorFor(ctx: {
  model: RegistryModel;
  source: HubSource;
  file: string;
  outDir: string;
  tokenSet: boolean;
}): (status: number, ex: Exchange, attempts: number) => Error {
  return (status, ex, attempts) => {
    const { model, source, file } = ctx;
    const url = ex.hops[0]?.url ?? ex.url;
    const repo = source === 'huggingface' ? model.huggingface : model.modelscope;
    const hubMsg = ex.response.headers.get('x-error-message');
    const said = hubMsg !== null && hubMsg !== '' ? ` (the hub says: ${hubMsg.replace(/\s+/g, ' ').trim()})` : '';
    if (status === 404) {
      return new PullError(
        'E2V_ERR_PULL_NOT_FOUND',
        `Not found (HTTP 404): ${url}${said}. The model or file name may be wrong: ${model.id} is registered as ` +
          `${repo} on ${HUB_NAMES[source]} with file ${file} (see models/manifest.json); or try ${otherHub(source)}.`,
      );
    }
    if (status === 401 || status === 403) {
      const how =
        source === 'huggingface'
          ? ctx.tokenSet
            ? `HF_TOKEN is set but was refused: check that it is valid, has read access, and that you accepted the ` +
              `repository's terms on ${filesPageUrl('huggingface', model).replace(/\/tree\/.*$/, '')}.`
            : `To log in, accept its terms on ${filesPageUrl('huggingface', model).replace(/\/tree\/.*$/, '')}, create an ` +
              `access token at https://huggingface.co/settings/tokens and set HF_TOKEN=<token> (sent as Authorization: Bearer).`
          : `e2v sends no ModelScope credentials; use ${otherHub(source)}, or ${manualHint(model, ctx.outDir)}`;
      return new PullError(
        'E2V_ERR_PULL_UNAUTHORIZED',
        `Access denied (HTTP ${status}) for ${url}${said}: the repository ${repo} may be gated or private. ${how}`,
      );
    }
    if (status === 429 || status >= 500) {
      return new PullError(
        'E2V_ERR_PULL_HTTP',
        `${HUB_NAMES[source]} answered HTTP ${status} for ${url} on ${attempts} attempt${attempts === 1 ? '' : 's'}${said}; ` +
          `the hub may be down or overloaded: try again later (the download resumes), or use ${otherHub(source)}.`,
      );
    }
    return new PullError('E2V_ERR_PULL_HTTP', `Unexpected HTTP ${status} for ${url}${said} while downloading ${file}.`);
  };
}
