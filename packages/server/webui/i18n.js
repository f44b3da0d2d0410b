// @ts-check
/**
 * The page's own text in English and Chinese. Emotion label names are not here: they come from
 * the API (`/api/v1/models`).
 * @module
 */

/** @typedef {'en' | 'zh'} Lang */

const STRINGS = {
  en: {
    title: 'e2v — speech emotion recognition',
    subtitle: 'Local and private: the audio never leaves this server.',
    notReadyTitle: 'The model is not ready',
    notReadyInstall: 'Install it on the server with:',
    inputHeading: 'Audio',
    dropHint: 'Drop an audio file here',
    chooseFile: 'Choose a file',
    record: 'Record',
    stopRecording: 'Stop recording',
    recordUnavailable: 'Recording needs a microphone and a secure page (https or localhost).',
    noAudio: 'No audio chosen yet.',
    recording: 'Recording…',
    granularity: 'Granularity',
    utterance: 'utterance',
    frame: 'frame',
    window: 'Smoothing window (s)',
    windowHint: 'frame granularity; 0 = raw per-frame scores',
    embedding: 'extract embedding',
    loadExample: 'Load example audio',
    start: 'Start',
    analyzing: 'Analyzing…',
    resultHeading: 'Result',
    placeholder: 'Choose or record audio, then press Start.',
    mainLabel: '{en}',
    confidence: 'confidence {value}',
    scores: 'Scores',
    scoreList: 'Score list',
    noticeShort: 'The audio is {duration} s long, under 1 s: too little context, so the result is unreliable. Clips of 3–10 s work best.',
    noticeSegmented:
      'The audio is {duration} s long, over 30 s: it was analysed in {count} segments, and the result is their duration-weighted mean. Clips of 3–10 s work best.',
    timeline: 'Emotions over time',
    spectrogram: 'Log-mel spectrogram',
    seconds: 's',
    log: 'Processing log',
    downloads: 'Downloads',
    resultJson: 'result.json',
    embeddingNpy: 'embedding.npy',
    processedAudio: 'processed audio (16 kHz WAV)',
    embeddingInfo: 'Embedding shape: {shape}',
    meta: '{model} ({variant}) · {duration} s of audio · {total} ms',
    errorTitle: 'Error',
    networkError: 'Cannot reach the e2v server: {message}',
    micError: 'Cannot record from the microphone: {message}',
  },
  zh: {
    title: 'e2v — 语音情感识别',
    subtitle: '本地私有：音频不会离开这台服务器。',
    notReadyTitle: '模型尚未就绪',
    notReadyInstall: '请在服务器上安装：',
    inputHeading: '音频',
    dropHint: '将音频文件拖放到这里',
    chooseFile: '选择文件',
    record: '录音',
    stopRecording: '停止录音',
    recordUnavailable: '录音需要麦克风和安全页面（https 或 localhost）。',
    noAudio: '尚未选择音频。',
    recording: '正在录音…',
    granularity: '粒度',
    utterance: '整句 (utterance)',
    frame: '逐帧 (frame)',
    window: '平滑窗口（秒）',
    windowHint: '逐帧模式；0 = 每帧原始得分',
    embedding: '提取 Embedding 特征',
    loadExample: '加载示例音频',
    start: '开始识别',
    analyzing: '正在分析…',
    resultHeading: '结果',
    placeholder: '选择或录制音频，然后点击“开始识别”。',
    mainLabel: '{zh} ({en})',
    confidence: '置信度: {value}',
    scores: '各情感得分',
    scoreList: '详细得分分布',
    noticeShort: '音频时长 {duration} 秒，不足 1 秒：缺乏语境，结果不可靠。3–10 秒效果最佳。',
    noticeSegmented: '音频时长 {duration} 秒，超过 30 秒：已分 {count} 段分析，结果为各段按时长加权的平均。3–10 秒效果最佳。',
    timeline: '情感随时间变化',
    spectrogram: '对数梅尔频谱图',
    seconds: '秒',
    log: '处理日志',
    downloads: '下载',
    resultJson: 'result.json',
    embeddingNpy: 'embedding.npy',
    processedAudio: '处理后的音频（16 kHz WAV）',
    embeddingInfo: 'Embedding 形状：{shape}',
    meta: '{model}（{variant}）· 音频 {duration} 秒 · {total} 毫秒',
    errorTitle: '错误',
    networkError: '无法连接 e2v 服务器：{message}',
    micError: '无法使用麦克风录音：{message}',
  },
};

/**
 * The text of `key` in `lang`, with `{name}` placeholders filled from `values`.
 * @param {Lang} lang
 * @param {keyof typeof STRINGS.en} key
 * @param {Record<string, string | number>} [values]
 * @returns {string}
 */
export function t(lang, key, values = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/**
 * Puts the text of `lang` into every element under `root` that has a `data-i18n` key (and
 * into the title of those with `data-i18n-title`), and sets the document's language.
 * @param {ParentNode} root
 * @param {Lang} lang
 */
export function applyTranslations(root, lang) {
  for (const element of root.querySelectorAll('[data-i18n]')) {
    element.textContent = t(lang, /** @type {any} */ (element.getAttribute('data-i18n')));
  }
  for (const element of root.querySelectorAll('[data-i18n-title]')) {
    element.setAttribute('title', t(lang, /** @type {any} */ (element.getAttribute('data-i18n-title'))));
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t(lang, 'title');
}

/**
 * The language to start in: the one chosen last time, else the browser's.
 * @returns {Lang}
 */
export function initialLang() {
  const saved = localStorage.getItem('e2v.lang');
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/**
 * Remembers the chosen language for the next visit.
 * @param {Lang} lang
 */
export function saveLang(lang) {
  localStorage.setItem('e2v.lang', lang);
}
