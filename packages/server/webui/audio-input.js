// @ts-check
/**
 * The audio to analyze: picked with the file input, dropped on the drop zone, recorded or
 * loaded as the example. Shows it in an `<audio controls>` preview.
 * @module
 */

/** @typedef {{ blob: Blob, name: string }} ChosenAudio */

/**
 * Wires the file input and drop zone and returns the current choice.
 * @param {{ dropzone: HTMLElement, fileInput: HTMLInputElement, preview: HTMLAudioElement, nameOutput: HTMLElement, onChange: (audio: ChosenAudio) => void }} elements
 * @returns {{ set: (audio: ChosenAudio) => void, current: () => ChosenAudio | null }}
 */
export function createAudioInput({ dropzone, fileInput, preview, nameOutput, onChange }) {
  /** @type {ChosenAudio | null} */
  let chosen = null;
  let previewUrl = '';

  /** @param {ChosenAudio} audio */
  function set(audio) {
    chosen = audio;
    if (previewUrl !== '') URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(audio.blob);
    preview.src = previewUrl;
    preview.hidden = false;
    nameOutput.removeAttribute('data-i18n'); // a file name now, no longer translated text
    nameOutput.textContent = `${audio.name} (${(audio.blob.size / 1024).toFixed(1)} KB)`;
    onChange(audio);
  }

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) set({ blob: file, name: file.name });
    fileInput.value = '';
  });
  dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropzone.classList.add('dragging');
  });
  dropzone.addEventListener('dragleave', () => dropzone.classList.remove('dragging'));
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropzone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) set({ blob: file, name: file.name });
  });

  return { set, current: () => chosen };
}
