// @ts-check
/**
 * The e2v web page: choose or record audio, analyze it with the REST API, show the result.
 * @module
 */
import { analyze, getExample, getHealth, getModel } from './api.js';
import { createAudioInput } from './audio-input.js';
import { renderScoreBars, renderScoreList } from './bars.js';
import { applyTranslations, initialLang, saveLang, t } from './i18n.js';
import { labelOf, labelsOf } from './labels.js';
import { renderNotices } from './notices.js';
import { canRecord, startRecording } from './recorder.js';
import { drawSpectrogram } from './spectrogram.js';
import { drawTimeline, renderLegend } from './timeline.js';

/** @param {string} id */
const $ = (id) => /** @type {any} */ (document.getElementById(id));

const state = {
  /** @type {import('./i18n.js').Lang} */
  lang: initialLang(),
  ready: false,
  busy: false,
  /** @type {import('./labels.js').Label[]} */
  labels: [],
  /** D of the loaded model's embedding. */
  embeddingDim: 0,
  /** @type {any} the last analysis response (the Result with files, log, notices) */
  result: null,
  /** @type {null | { stop: () => Promise<{ blob: Blob, name: string }> }} */
  recording: null,
};

const audio = createAudioInput({
  dropzone: $('dropzone'),
  fileInput: $('file-input'),
  preview: $('audio-preview'),
  nameOutput: $('audio-name'),
  onChange: () => {
    clearError();
    updateStart();
  },
});

/**
 * Shows the text of `key` in an element and keeps it translated on a language switch.
 * @param {HTMLElement} element
 * @param {Parameters<typeof t>[1]} key
 */
function setText(element, key) {
  element.dataset.i18n = key;
  element.textContent = t(state.lang, key);
}

/** @param {string} message */
function showError(message) {
  $('error-message').textContent = message;
  $('error-box').hidden = false;
}

function clearError() {
  $('error-box').hidden = true;
  $('error-message').textContent = '';
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

function updateStart() {
  $('start-button').disabled = !state.ready || state.busy || state.recording !== null || audio.current() === null;
}

/** @param {'idle' | 'busy' | 'done' | 'error'} status */
function setStatus(status) {
  state.busy = status === 'busy';
  $('result').dataset.status = status;
  $('result').setAttribute('aria-busy', String(state.busy));
  $('start-button').classList.toggle('busy', state.busy);
  setText($('start-text'), state.busy ? 'analyzing' : 'start');
  updateStart();
}

/**
 * Points a download link at a saved output, or hides it.
 * @param {HTMLAnchorElement} link
 * @param {string | null | undefined} url
 */
function setDownload(link, url) {
  link.hidden = !url;
  if (url) link.href = url;
  else link.removeAttribute('href');
}

/** Draws the timeline and spectrogram of the last frame-granularity Result. */
function drawFrameCharts() {
  const result = state.result;
  if (!result?.frames || $('frame-charts').hidden) return;
  const unit = t(state.lang, 'seconds');
  drawTimeline($('timeline'), result.frames, result.audio.duration_s, labelsOf(result.scores, state.labels), unit);
  if (result.spectrogram) drawSpectrogram($('spectrogram'), result.spectrogram, result.audio.duration_s, unit);
}

/**
 * The shape of the last analysis' embedding as numpy prints it: `(D,)` or `(T', D)`, with T' the
 * number of frames.
 * @param {any} result
 * @returns {string}
 */
function embeddingShape(result) {
  return result.frames ? `(${result.frames.start_s.length}, ${state.embeddingDim})` : `(${state.embeddingDim},)`;
}

/** Shows the last Result in the current language. */
function renderResult() {
  const result = state.result;
  const labels = labelsOf(result.scores, state.labels);
  const main = labelOf(result.emotion, state.labels);
  $('placeholder').hidden = true;
  $('outcome').hidden = false;
  $('main-emoji').textContent = result.emoji;
  $('main-label').textContent = t(state.lang, 'mainLabel', { zh: main.zh, en: main.en });
  $('main-confidence').textContent = t(state.lang, 'confidence', { value: `${(result.confidence * 100).toFixed(1)}%` });
  renderNotices($('notices'), result.notices ?? [], result, state.lang);
  $('meta').textContent = t(state.lang, 'meta', {
    model: result.model.name,
    variant: result.model.variant,
    duration: result.audio.duration_s.toFixed(2),
    total: Math.round(result.timings_ms.total),
  });
  renderScoreBars($('score-chart'), result.scores, labels, state.lang);
  renderScoreList($('score-list'), result.scores);

  $('frame-charts').hidden = !result.frames;
  $('spectrogram').closest('figure').hidden = !result.spectrogram;
  if (result.frames) renderLegend($('legend'), labels, state.lang);
  drawFrameCharts();

  const embeddingFile = result.files?.embedding_npy;
  setDownload($('download-result'), result.files?.result_json);
  setDownload($('download-embedding'), embeddingFile);
  setDownload($('download-audio'), result.files?.processed_audio);
  $('embedding-info').hidden = !embeddingFile;
  if (embeddingFile) $('embedding-info').textContent = t(state.lang, 'embeddingInfo', { shape: embeddingShape(result) });
}

/** @returns {'utterance' | 'frame'} the chosen granularity */
function granularity() {
  return /** @type {any} */ (document.querySelector('input[name="granularity"]:checked')).value;
}

/** Lets the smoothing window be set only for frame granularity. */
function updateWindow() {
  $('window').disabled = granularity() !== 'frame';
}

async function runAnalysis() {
  const chosen = audio.current();
  if (chosen === null || state.busy) return;
  clearError();
  setStatus('busy');
  try {
    state.result = await analyze(chosen.blob, chosen.name, { granularity: granularity(), embedding: $('embedding').checked, windowS: $('window').value });
    $('log').textContent = (state.result.log ?? []).join('\n');
    renderResult();
    setStatus('done');
  } catch (error) {
    const message = messageOf(error);
    state.result = null; // the last result is not of this audio
    $('outcome').hidden = true;
    $('placeholder').hidden = false;
    $('log').textContent = `${/** @type {any} */ (error).code ?? 'ERROR'}: ${message}`;
    showError(message);
    setStatus('error');
  }
}

async function loadExample() {
  clearError();
  $('example-button').disabled = true;
  try {
    audio.set(await getExample());
  } catch (error) {
    showError(messageOf(error));
  } finally {
    $('example-button').disabled = false;
  }
}

let recordTimer = 0;

/**
 * Shows whether the microphone is recording, with the time recorded so far.
 * @param {boolean} recording
 */
function showRecording(recording) {
  $('record-button').setAttribute('aria-pressed', String(recording));
  setText($('record-text'), recording ? 'stopRecording' : 'record');
  clearInterval(recordTimer);
  $('record-time').hidden = !recording;
  if (!recording) return;
  const started = performance.now();
  const tick = () => {
    const seconds = Math.floor((performance.now() - started) / 1000);
    $('record-time').textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  };
  tick();
  recordTimer = setInterval(tick, 250);
}

async function toggleRecording() {
  try {
    if (state.recording === null) {
      clearError();
      state.recording = await startRecording();
      showRecording(true);
      setText($('audio-name'), 'recording');
    } else {
      const recording = state.recording;
      state.recording = null;
      showRecording(false);
      audio.set(await recording.stop());
    }
  } catch (error) {
    state.recording = null;
    showRecording(false);
    showError(t(state.lang, 'micError', { message: messageOf(error) }));
  }
  updateStart();
}

function toggleLanguage() {
  state.lang = state.lang === 'en' ? 'zh' : 'en';
  saveLang(state.lang);
  applyTranslations(document, state.lang);
  if (state.result) renderResult();
}

/**
 * Asks the server whether the model is ready and for its labels; the outcome is left in
 * `<body data-server="ready | not-ready | unreachable">`.
 */
async function checkServer() {
  try {
    const health = await getHealth();
    state.ready = health.ready;
    $('not-ready').hidden = health.ready;
    if (health.ready) {
      ({ labels: state.labels, embeddingDim: state.embeddingDim } = await getModel());
    } else {
      $('not-ready-reason').textContent = health.reason ?? '';
      $('install-command').textContent = health.install_command ?? '';
    }
    document.body.dataset.server = health.ready ? 'ready' : 'not-ready';
  } catch (error) {
    document.body.dataset.server = 'unreachable';
    showError(t(state.lang, 'networkError', { message: messageOf(error) }));
  } finally {
    updateStart();
  }
}

if (!canRecord()) {
  $('record-button').disabled = true;
  $('record-button').dataset.i18nTitle = 'recordUnavailable';
}
applyTranslations(document, state.lang);
$('lang-toggle').addEventListener('click', toggleLanguage);
$('example-button').addEventListener('click', loadExample);
$('start-button').addEventListener('click', runAnalysis);
$('record-button').addEventListener('click', toggleRecording);
for (const radio of document.querySelectorAll('input[name="granularity"]')) radio.addEventListener('change', updateWindow);
updateWindow();
new ResizeObserver(() => {
  try {
    drawFrameCharts();
  } catch (error) {
    showError(messageOf(error));
  }
}).observe($('frame-charts'));
checkServer();
