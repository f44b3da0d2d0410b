/**
 * The REST API (`/api/v1`) described once: each route's method, path, query parameters and
 * responses. The routes parse their query parameters from these specs, and
 * `/api/v1/openapi.json` is generated from them, so the document cannot drift from the code.
 * @module
 */
import { DEFAULT_WINDOW_S, MAX_WINDOW_S } from '@e2v/engine';

/** A query parameter. */
export type QueryParam =
  | { type: 'boolean'; description: string; default: boolean }
  | { type: 'enum'; values: readonly string[]; description: string; default: string }
  | { type: 'number'; minimum: number; maximum: number; description: string; default: number };

/** One response of a route. */
export interface ResponseSpec {
  description: string;
  /** JSON schema (a `$ref` into {@link SCHEMAS} or inline); omitted for non-JSON bodies. */
  schema?: object;
  /** Content type when not JSON. */
  contentType?: string;
}

/** One REST route. */
export interface RouteSpec {
  method: 'get' | 'post';
  /** OpenAPI path (`{name}` for path parameters). */
  path: string;
  operationId: string;
  summary: string;
  query?: Readonly<Record<string, QueryParam>>;
  pathParams?: Readonly<Record<string, string>>;
  /** Request bodies accepted, by content type. */
  body?: Readonly<Record<string, object>>;
  responses: Readonly<Record<number, ResponseSpec>>;
}

const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string): ResponseSpec => ({ description, schema: ref('Error') });

/** Shared JSON schemas. */
export const SCHEMAS: Readonly<Record<string, object>> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string', example: 'E2V_ERR_AUDIO_UNSUPPORTED' }, message: { type: 'string' } },
      },
    },
  },
  Warning: {
    type: 'object',
    required: ['code', 'message'],
    properties: { code: { type: 'string', example: 'E2V_WARN_AUDIO_TRUNCATED' }, message: { type: 'string' } },
  },
  Scores: { type: 'object', additionalProperties: { type: 'number' }, description: 'Probability of every label, in model order (softmax over all labels)' },
  Result: {
    type: 'object',
    description: 'The Result of docs/design.md (what result.json holds)',
    required: ['emotion', 'emotion_zh', 'emoji', 'confidence', 'scores', 'granularity', 'frames', 'audio', 'model', 'timestamp', 'timings_ms'],
    properties: {
      emotion: { type: 'string' },
      emotion_zh: { type: 'string', description: 'Chinese name of the emotion as the original WebUI guide writes it (愤怒 for angry, 快乐 for happy, ...)' },
      emoji: { type: 'string' },
      confidence: { type: 'number' },
      scores: ref('Scores'),
      granularity: { type: 'string', enum: ['utterance', 'frame'] },
      frames: {
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            required: ['rate', 'window_s', 'start_s', 'scores'],
            properties: {
              rate: { type: 'number' },
              window_s: { type: 'number', description: 'Length in seconds of the centred window whose mean scored each frame (0: raw per-frame scores)' },
              start_s: { type: 'array', items: { type: 'number' } },
              scores: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
            },
          },
        ],
      },
      segments: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            start_s: { type: 'number' },
            end_s: { type: 'number' },
            emotion: { type: 'string' },
            confidence: { type: 'number' },
            scores: ref('Scores'),
          },
        },
      },
      audio: {
        type: 'object',
        required: ['duration_s', 'sample_rate', 'channels', 'format', 'warnings'],
        properties: {
          duration_s: { type: 'number' },
          sample_rate: { type: 'integer' },
          channels: { type: 'integer' },
          format: { type: 'string' },
          warnings: {
            type: 'array',
            description:
              'What decoding lost, always present and empty ([]) for clean audio: E2V_WARN_AUDIO_TRUNCATED (the file ends before its container says; the audio before the cut was analyzed), E2V_WARN_AUDIO_DAMAGED_FRAMES (the decoder skipped frames it could not decode). See docs/errors.md',
            items: ref('Warning'),
          },
        },
      },
      model: { type: 'object', properties: { name: { type: 'string' }, variant: { type: 'string', enum: ['fp32', 'int8'] } } },
      timestamp: {
        type: 'string',
        format: 'date-time',
        description:
          'When the analysis finished: ISO 8601 local time of the server with milliseconds and the UTC offset; the outputs folder (outputs_YYYYMMDD_HHMMSS) is named after the same instant',
        example: '2026-12-05T22:30:00.123+08:00',
      },
      timings_ms: {
        type: 'object',
        properties: { decode: { type: 'number' }, resample: { type: 'number' }, inference: { type: 'number' }, total: { type: 'number' } },
      },
    },
  },
  AnalyzeResponse: {
    allOf: [
      ref('Result'),
      {
        type: 'object',
        required: ['embedding', 'files', 'log', 'notices', 'warnings'],
        properties: {
          embedding: {
            description:
              "When embedding=true: (D,) for utterance, (T', D) frame features for frame granularity; null with inline_embedding=false, or for a frame embedding over the inline limit (then only in files.embedding_npy)",
            oneOf: [{ type: 'null' }, { type: 'array', items: { type: 'number' } }, { type: 'array', items: { type: 'array', items: { type: 'number' } } }],
          },
          files: {
            description: 'Links to the saved files when save=true',
            oneOf: [
              { type: 'null' },
              {
                type: 'object',
                properties: { result_json: { type: 'string' }, embedding_npy: { type: ['string', 'null'] }, processed_audio: { type: 'string' } },
              },
            ],
          },
          log: { type: 'array', items: { type: 'string' } },
          notices: {
            type: 'array',
            description:
              'Advice about the input, not damage (see warnings): E2V_NOTICE_AUDIO_SHORT (under 1 s: too little context, the result is unreliable), E2V_NOTICE_AUDIO_SEGMENTED (longer than one 30 s segment: analysed in segments, the result is their duration-weighted mean)',
            items: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string', enum: ['E2V_NOTICE_AUDIO_SHORT', 'E2V_NOTICE_AUDIO_SEGMENTED'] }, message: { type: 'string' } },
            },
          },
          warnings: {
            type: 'array',
            description:
              'What went wrong with or around the result: the audio warnings of audio.warnings first, then e.g. E2V_WARN_OUTPUTS_NOT_SAVED (save=true, but the outputs folder could not be written: files is null)',
            items: ref('Warning'),
          },
          spectrogram: {
            type: 'object',
            description: 'When spectrogram=true: log-mel (Kaldi fbank, 80 bins) quantized to bytes, base64, frame after frame',
            properties: {
              frame_rate: { type: 'number' },
              bins: { type: 'integer' },
              frames: { type: 'integer' },
              min: { type: 'number' },
              max: { type: 'number' },
              data: { type: 'string', contentEncoding: 'base64' },
            },
          },
        },
      },
    ],
  },
  Health: {
    type: 'object',
    required: ['status', 'ready'],
    properties: {
      status: {
        type: 'string',
        enum: ['ready', 'degraded', 'not_ready'],
        description: 'degraded: the model runs, but the last write to the uploads or outputs folder failed, or a plugin is restarting after a crash',
      },
      ready: { type: 'boolean' },
      reason: { type: 'string' },
      install_command: { type: 'string' },
      model: { type: 'object', properties: { name: { type: 'string' }, variant: { type: 'string' } } },
      queue: { type: 'object', properties: { waiting: { type: 'integer' }, running: { type: 'integer' } } },
      storage: {
        type: 'object',
        description:
          'Whether the last write to each folder succeeded (ok), found the disk full (full) or failed otherwise (failing); a later successful write clears it',
        properties: { uploads: { type: 'string', enum: ['ok', 'full', 'failing'] }, outputs: { type: 'string', enum: ['ok', 'full', 'failing'] } },
      },
      plugins: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            isolated: { type: 'boolean' },
            state: { type: 'string', enum: ['running', 'restarting', 'closed'] },
            crashes: { type: 'integer' },
            lastCrash: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, at: { type: 'string' } } },
          },
        },
      },
    },
  },
  Models: {
    type: 'object',
    properties: {
      loaded: {
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            properties: {
              name: { type: 'string' },
              variant: { type: 'string' },
              embedding_dim: { type: 'integer' },
              frame_rate: { type: 'number' },
              random: { type: 'boolean' },
              labels: {
                type: 'array',
                description:
                  "In model order: key, display names (the original WebUI guide's for the nine emotion2vec+ labels: 愤怒 / Angry) and the checkpoint's tokens.txt line (生气/angry; null for a model.json older than it)",
                items: {
                  type: 'object',
                  properties: {
                    key: { type: 'string' },
                    zh: { type: 'string' },
                    en: { type: 'string' },
                    emoji: { type: 'string' },
                    token: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
        ],
      },
      models: {
        type: 'array',
        items: {
          type: 'object',
          properties: { id: { type: 'string' }, description: { type: 'string' }, installed: { type: 'boolean' }, install_command: { type: 'string' } },
        },
      },
      registry_error: {
        description:
          'Why the known models could not be listed (models/manifest.json missing, not JSON or invalid: E2V_ERR_PULL_REGISTRY; models is then empty), or null',
        oneOf: [{ type: 'null' }, { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }],
      },
    },
  },
  Examples: {
    type: 'object',
    properties: {
      examples: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            index: { type: 'integer' },
            name: { type: 'string' },
            url: { type: 'string' },
            granularity: { type: 'string' },
            embedding: { type: 'boolean' },
          },
        },
      },
    },
  },
};

/** Query parameters of `POST /api/v1/analyze`. */
export const ANALYZE_QUERY = {
  granularity: {
    type: 'enum',
    values: ['utterance', 'frame'],
    default: 'utterance',
    description: 'One result, or a time series of frame scores (50 frames/s)',
  },
  embedding: { type: 'boolean', default: false, description: 'Extract the embedding: inline (see inline_embedding) and embedding.npy when saving' },
  inline_embedding: {
    type: 'boolean',
    default: true,
    description:
      'Return the embedding in the response; false: embedding is null and the embedding is only in the outputs folder (written then), at files.embedding_npy',
  },
  window_s: {
    type: 'number',
    minimum: 0,
    maximum: MAX_WINDOW_S,
    default: DEFAULT_WINDOW_S,
    description:
      'Frame granularity: length in seconds of the centred window whose mean logits score each frame (0 = raw per-frame scores); recorded as frames.window_s',
  },
  save: { type: 'boolean', default: false, description: 'Write an outputs folder and return links to its files' },
  spectrogram: { type: 'boolean', default: false, description: 'Include the log-mel spectrogram (web UI)' },
} as const satisfies Record<string, QueryParam>;

/** Every REST route. */
export const REST_ROUTES: readonly RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/analyze',
    operationId: 'analyze',
    summary: 'Analyze one audio file (WAV, MP3, M4A/AAC, FLAC, Ogg Vorbis/Opus, WebM; any rate and channel count)',
    query: ANALYZE_QUERY,
    body: {
      'multipart/form-data': {
        type: 'object',
        required: ['audio'],
        description: 'The audio, and any query parameter as a text field',
        properties: {
          audio: { type: 'string', format: 'binary' },
          granularity: { type: 'string' },
          embedding: { type: 'string' },
          save: { type: 'string' },
          window_s: { type: 'string' },
        },
      },
      'application/octet-stream': { type: 'string', format: 'binary', description: 'The audio file as the raw body' },
    },
    responses: {
      200: { description: 'The Result, with embedding, file links, processing log, notices and warnings', schema: ref('AnalyzeResponse') },
      400: error('Bad input: corrupt audio, too short, bad parameters, malformed or interrupted upload'),
      413: error('Upload or audio too large / too long (refused before the body is read when Content-Length says so)'),
      415: error('Not an audio format e2v decodes'),
      422: error('A plugin refused the analysis (E2V_ERR_PLUGIN_VETO)'),
      429: error('Queue full (Retry-After; checked before the body is read)'),
      503: error('No model loaded, shutting down, or too many uploads / connections at once (Retry-After)'),
      507: error('The upload storage is full (E2V_ERR_HTTP_UPLOADS_FULL, Retry-After)'),
    },
  },
  {
    method: 'get',
    path: '/api/v1/health',
    operationId: 'health',
    summary: 'Ready, degraded or not, and why',
    responses: {
      200: { description: 'Ready, or degraded (a folder did not take its last write)', schema: ref('Health') },
      503: { description: 'Not ready (reason and the command that installs the model)', schema: ref('Health') },
    },
  },
  {
    method: 'get',
    path: '/api/v1/models',
    operationId: 'models',
    summary: 'The loaded model (labels) and the known models',
    responses: { 200: { description: 'Models', schema: ref('Models') } },
  },
  {
    method: 'get',
    path: '/api/v1/examples',
    operationId: 'examples',
    summary: 'Example inputs shipped with e2v',
    responses: { 200: { description: 'Examples', schema: ref('Examples') } },
  },
  {
    method: 'get',
    path: '/api/v1/examples/{index}',
    operationId: 'exampleAudio',
    summary: 'The audio of one example',
    pathParams: { index: 'Example index' },
    responses: { 200: { description: 'Audio file', contentType: 'audio/wav' }, 404: error('No such example') },
  },
  {
    method: 'get',
    path: '/api/v1/outputs/{path}',
    operationId: 'outputFile',
    summary: 'Download a saved file (result.json, embedding.npy, processed_audio.wav)',
    pathParams: { path: 'outputs_YYYYMMDD_HHMMSS[_N]/<file>' },
    responses: { 200: { description: 'The file, as an attachment', contentType: 'application/octet-stream' }, 403: error('Not a file of the outputs folder') },
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
  },
];
