/**
 * The text of `e2v serve --help`: every flag and environment variable of the server.
 * @module
 */

/** What `e2v serve --help` prints. */
export const SERVE_HELP = `Usage: e2v serve [options]

The server: the web page, Gradio's API (/gradio_api/..., /api/predict) and the REST API
(/api/v1) on one port, until Ctrl-C or SIGTERM (then a graceful shutdown, exit code 0).

Where it listens (a flag wins over the environment; E2V_* over GRADIO_*):
  --port N, --server-port N      port (default 7860; 0 picks a free one)
                                 env: E2V_PORT, GRADIO_SERVER_PORT
  --host HOST, --server-name HOST
                                 address to bind (default 127.0.0.1; 0.0.0.0 or another
                                 non-loopback address opens the server to the network)
                                 env: E2V_HOST, GRADIO_SERVER_NAME

Model:
  --model DIR                    converted model folder (env: E2V_MODEL_DIR; default
                                 <models dir>/emotion2vec_plus_large)
  --models-dir DIR               where 'e2v model pull' installs models (env: E2V_MODELS_DIR;
                                 default ./models)
  --no-pull                      without a model, do not try 'e2v model pull' once
  --variant auto|fp32|int8       graph variant (default auto: the faster one here); --int8
  --threads N                    inference threads

Analyses and uploads:
  --outputs DIR                  outputs_YYYYMMDD_HHMMSS folders go here (default ./outputs)
  --concurrency N                analyses run at once (default 2)
  --max-queued N                 analyses that may wait before more are refused (default 16)
  --max-duration-min N           longest audio, in minutes (default 60)
  --max-upload-mb N              largest upload (default 200)
  Uploads are kept in ./.e2v/uploads (mode 0700: only your user can read them).

Retention (0 turns a limit off):
  --uploads-max-age-h H, --uploads-max-mb N    uploads (default 24 h, 2048 MB)
  --outputs-max-age-h H, --outputs-max-mb N    outputs (default: kept)

Plugins:
  --plugin SPEC                  repeatable: alert, classifier, sink, ./file.js, a package;
                                 SPEC={json options}
  --config FILE, --no-config     plugin config (default e2v.config.json|.js|.ts here)
  --plugin-state DIR             plugin state (env: E2V_STATE_DIR; default .e2v/plugins)
  --plugin-timeout-ms N          each plugin hook's deadline (default 5000)
  --plugin-memory-mb N           each plugin thread's heap limit and buffers kept (default 256)

  -h, --help                     show this text
`;
