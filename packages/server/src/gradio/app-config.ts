/**
 * `GET /config` and `GET /gradio_api/info`: the e2v app described as a Gradio 5 Blocks app with
 * one public function (`/predict`) and the examples dependency (`load_example`). Component ids
 * are stable; `dependencies[i].id === i`. Built per request: `root` comes from the request,
 * never from shared state. /info shows no path of the server machine.
 * @module
 */
import { basename } from 'node:path';
import { exampleRoute, type Example } from '../examples.js';
import { fileUrl } from './file-data.js';
import { GRADIO_API_PREFIX, GRADIO_PROTOCOL, GRADIO_VERSION, LOAD_EXAMPLE_FN, PREDICT_FN } from './constants.js';

const FILE_DATA_SCHEMA = {
  $defs: {
    FileDataMeta: {
      properties: { _type: { const: 'gradio.FileData', title: 'Type', type: 'string' } },
      required: ['_type'],
      title: 'FileDataMeta',
      type: 'object',
    },
  },
  additionalProperties: false,
  description: 'A file on the server',
  properties: {
    path: { title: 'Path', type: 'string' },
    url: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null, title: 'Url' },
    size: { anyOf: [{ type: 'integer' }, { type: 'null' }], default: null, title: 'Size' },
    orig_name: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null, title: 'Orig Name' },
    mime_type: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null, title: 'Mime Type' },
    is_stream: { default: false, title: 'Is Stream', type: 'boolean' },
    meta: { $ref: '#/$defs/FileDataMeta' },
  },
  required: ['path'],
  title: 'FileData',
  type: 'object',
};
const RADIO_SCHEMA = { enum: ['utterance', 'frame'], title: 'Radio', type: 'string' };
const BOOLEAN_SCHEMA = { type: 'boolean' };
const STRING_SCHEMA = { type: 'string' };
const LABEL_SCHEMA = {
  $defs: {
    LabelConfidence: {
      properties: {
        label: { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'number' }, { type: 'null' }], default: null },
        confidence: { anyOf: [{ type: 'number' }, { type: 'null' }], default: null },
      },
      title: 'LabelConfidence',
      type: 'object',
    },
  },
  properties: {
    label: { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'number' }, { type: 'null' }], default: null, title: 'Label' },
    confidences: { anyOf: [{ items: { $ref: '#/$defs/LabelConfidence' }, type: 'array' }, { type: 'null' }], default: null, title: 'Confidences' },
  },
  title: 'LabelData',
  type: 'object',
};
const DATASET_SCHEMA = { type: 'integer', description: 'index of selected example' };

interface ComponentSpec {
  id: number;
  type: string;
  props: Record<string, unknown>;
  schema?: object;
}

/** The audio example as FileData (absolute url). */
function exampleFileData(root: string, path: string): Record<string, unknown> {
  const url = fileUrl(root, path);
  return { path, url, orig_name: basename(path), meta: { _type: 'gradio.FileData' } };
}

function components(root: string, examples: readonly { path: string; example: Example }[]): ComponentSpec[] {
  return [
    { id: 0, type: 'column', props: {} },
    { id: 1, type: 'audio', props: { type: 'filepath', label: 'Audio', sources: ['upload', 'microphone'], show_label: true }, schema: FILE_DATA_SCHEMA },
    {
      id: 2,
      type: 'radio',
      props: {
        choices: [
          ['utterance', 'utterance'],
          ['frame', 'frame'],
        ],
        value: 'utterance',
        label: 'granularity',
      },
      schema: RADIO_SCHEMA,
    },
    { id: 3, type: 'checkbox', props: { value: false, label: 'extract embedding' }, schema: BOOLEAN_SCHEMA },
    { id: 4, type: 'button', props: { value: 'Submit', variant: 'primary' } },
    { id: 5, type: 'markdown', props: { value: '', label: 'main emotion' }, schema: STRING_SCHEMA },
    { id: 6, type: 'label', props: { label: 'emotion scores', num_top_classes: 9 }, schema: LABEL_SCHEMA },
    { id: 7, type: 'textbox', props: { label: 'processing log', lines: 8 }, schema: STRING_SCHEMA },
    { id: 8, type: 'file', props: { label: 'result.json' }, schema: FILE_DATA_SCHEMA },
    { id: 9, type: 'file', props: { label: 'embedding.npy' }, schema: FILE_DATA_SCHEMA },
    {
      id: 10,
      type: 'dataset',
      props: {
        label: 'Examples',
        headers: ['Audio', 'granularity', 'extract embedding'],
        samples: examples.map(({ path, example }) => [exampleFileData(root, path), example.granularity, example.embedding]),
        type: 'index',
        component_props: [],
      },
      schema: DATASET_SCHEMA,
    },
  ];
}

function componentJson(spec: ComponentSpec): Record<string, unknown> {
  const base = { id: spec.id, type: spec.type, props: { ...spec.props, name: spec.type }, component_class_id: spec.type, key: null };
  if (spec.schema === undefined) return { ...base, skip_api: true };
  return { ...base, skip_api: false, api_info: spec.schema, api_info_as_input: spec.schema, api_info_as_output: spec.schema, example_inputs: null };
}

function dependency(
  id: number,
  fields: { targets: [number, string][]; inputs: number[]; outputs: number[]; apiName: string; queue: boolean | null; public: boolean },
): Record<string, unknown> {
  return {
    id,
    targets: fields.targets,
    inputs: fields.inputs,
    outputs: fields.outputs,
    backend_fn: true,
    js: null,
    queue: fields.queue,
    api_name: fields.apiName,
    show_api: fields.public,
    api_visibility: fields.public ? 'public' : 'undocumented',
    scroll_to_output: false,
    show_progress: 'full',
    batch: false,
    max_batch_size: 4,
    cancels: [],
    types: { generator: false, cancel: false },
    collects_event_data: false,
    trigger_after: null,
    trigger_only_on_success: false,
    trigger_mode: 'once',
    connection: 'sse',
    rendered_in: null,
    time_limit: null,
    stream_every: 0.5,
    like_user_message: false,
    event_specific_args: null,
  };
}

/** Inputs of the config builders. */
export interface AppDescription {
  /** Root URL of the request (scheme + host, no trailing slash). */
  root: string;
  /** Examples with their absolute paths. */
  examples: readonly { path: string; example: Example }[];
  /** Upload limit in bytes. */
  maxFileSize: number;
}

/** The `GET /config` document. */
export function gradioConfig(app: AppDescription): Record<string, unknown> {
  return {
    version: GRADIO_VERSION,
    api_prefix: GRADIO_API_PREFIX,
    protocol: GRADIO_PROTOCOL,
    mode: 'blocks',
    app_id: 7860,
    title: 'e2v — speech emotion recognition',
    root: app.root,
    enable_queue: true,
    connect_heartbeat: false,
    max_file_size: app.maxFileSize,
    space_id: null,
    run_history: true,
    is_space: false,
    analytics_enabled: false,
    show_api: true,
    show_error: true,
    theme: 'default',
    css: null,
    js: null,
    head: null,
    stylesheets: [],
    fill_height: false,
    fill_width: false,
    theme_hash: 'e2v',
    layout: { id: 0, children: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }, { id: 6 }, { id: 7 }, { id: 8 }, { id: 9 }, { id: 10 }] },
    components: components(app.root, app.examples).map(componentJson),
    dependencies: [
      dependency(PREDICT_FN, { targets: [[4, 'click']], inputs: [1, 2, 3], outputs: [5, 6, 7, 8, 9], apiName: 'predict', queue: null, public: true }),
      dependency(LOAD_EXAMPLE_FN, { targets: [[10, 'click']], inputs: [10], outputs: [1, 2, 3], apiName: 'load_example', queue: false, public: false }),
    ],
    page: { '': { layout: { id: 0, children: [] }, dependencies: [0, 1], components: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } },
    pages: [['', 'Home']],
  };
}

function returns(label: string, schema: object, pythonType: string, component: string): Record<string, unknown> {
  return { label, type: schema, python_type: { type: pythonType, description: '' }, component };
}

/**
 * /info's audio example: the first example at its REST URL, as path and url (Gradio shows a URL
 * there too), so that no path of the server machine is published; predict takes it back.
 */
function audioExampleInput(root: string, first: Example | undefined): Record<string, unknown> | null {
  if (first === undefined) return null;
  const url = `${root}${exampleRoute(0)}`;
  return { path: url, url, orig_name: first.file, meta: { _type: 'gradio.FileData' } };
}

function predictEndpoint(root: string, firstExample: Example | undefined): Record<string, unknown> {
  const example = audioExampleInput(root, firstExample);
  return {
    parameters: [
      {
        label: 'Audio',
        parameter_name: 'audio',
        parameter_has_default: false,
        parameter_default: null,
        type: FILE_DATA_SCHEMA,
        python_type: { type: 'filepath', description: '' },
        component: 'Audio',
        example_input: example,
      },
      {
        label: 'granularity',
        parameter_name: 'granularity',
        parameter_has_default: true,
        parameter_default: 'utterance',
        type: RADIO_SCHEMA,
        python_type: { type: "Literal['utterance', 'frame']", description: '' },
        component: 'Radio',
        example_input: 'utterance',
      },
      {
        label: 'extract embedding',
        parameter_name: 'extract_embedding',
        parameter_has_default: true,
        parameter_default: false,
        type: BOOLEAN_SCHEMA,
        python_type: { type: 'bool', description: '' },
        component: 'Checkbox',
        example_input: true,
      },
    ],
    returns: [
      returns('main emotion', STRING_SCHEMA, 'str', 'Markdown'),
      returns(
        'emotion scores',
        LABEL_SCHEMA,
        'dict(label: str | int | float | None, confidences: list[dict(label: str | int | float | None, confidence: float | None)] | None)',
        'Label',
      ),
      returns('processing log', STRING_SCHEMA, 'str', 'Textbox'),
      returns('result.json', FILE_DATA_SCHEMA, 'filepath', 'File'),
      returns('embedding.npy', FILE_DATA_SCHEMA, 'filepath', 'File'),
    ],
    show_api: true,
    api_visibility: 'public',
    description: 'Speech emotion recognition with emotion2vec+: the main emotion, all 9 scores, a processing log, result.json and (when asked) embedding.npy',
  };
}

function loadExampleEndpoint(): Record<string, unknown> {
  return {
    parameters: [
      {
        label: 'Examples',
        parameter_name: 'index',
        parameter_has_default: false,
        parameter_default: null,
        type: DATASET_SCHEMA,
        python_type: { type: 'int', description: '' },
        component: 'Dataset',
        example_input: 0,
      },
    ],
    returns: [
      returns('Audio', FILE_DATA_SCHEMA, 'filepath', 'Audio'),
      returns('granularity', RADIO_SCHEMA, 'str', 'Radio'),
      returns('extract embedding', BOOLEAN_SCHEMA, 'bool', 'Checkbox'),
    ],
    show_api: false,
    api_visibility: 'undocumented',
    description: '',
  };
}

/**
 * The `GET /gradio_api/info` document.
 * @param app the app
 * @param allEndpoints also list undocumented endpoints (`?all_endpoints=true`)
 */
export function gradioApiInfo(app: AppDescription, allEndpoints: boolean): Record<string, unknown> {
  const named: Record<string, unknown> = { '/predict': predictEndpoint(app.root, app.examples[0]?.example) };
  if (allEndpoints) named['/load_example'] = loadExampleEndpoint();
  return { named_endpoints: named, unnamed_endpoints: {} };
}
