// @ts-check
/**
 * Microphone recording with MediaRecorder (the browser's own format, e.g. WebM/Opus, which the
 * server decodes).
 * @module
 */

/**
 * Whether this page can record: a MediaRecorder and microphone access (a secure context).
 * @returns {boolean}
 */
export function canRecord() {
  return typeof MediaRecorder !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/**
 * Starts recording from the microphone (asks for permission first).
 * @returns {Promise<{ stop: () => Promise<{ blob: Blob, name: string }> }>} `stop` ends the
 *   recording, releases the microphone and gives the audio with a file name
 */
export async function startRecording() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const recorder = new MediaRecorder(stream);
  /** @type {Blob[]} */
  const chunks = [];
  recorder.addEventListener('dataavailable', (event) => {
    if (event.data.size > 0) chunks.push(event.data);
  });
  const stopped = new Promise((resolve) => recorder.addEventListener('stop', resolve, { once: true }));
  recorder.start();
  return {
    async stop() {
      recorder.stop();
      await stopped;
      for (const track of stream.getTracks()) track.stop();
      const type = recorder.mimeType || 'audio/webm';
      const extension = type.includes('ogg') ? 'ogg' : type.includes('mp4') ? 'm4a' : 'webm';
      return { blob: new Blob(chunks, { type }), name: `recording.${extension}` };
    },
  };
}
