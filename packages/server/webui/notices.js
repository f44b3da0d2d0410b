// @ts-check
/**
 * The notices of a Result (advice, not errors: a clip under 1 s, audio analysed in segments),
 * in the page's language; a code the page does not know shows the server's message.
 * @module
 */
import { t } from './i18n.js';

/** @typedef {{ code: string, message: string }} Notice */

/**
 * The text of one notice.
 * @param {Notice} notice
 * @param {any} result the Result it is about
 * @param {import('./i18n.js').Lang} lang
 * @returns {string}
 */
function noticeText(notice, result, lang) {
  const duration = result.audio.duration_s.toFixed(2);
  switch (notice.code) {
    case 'E2V_NOTICE_AUDIO_SHORT':
      return t(lang, 'noticeShort', { duration });
    case 'E2V_NOTICE_AUDIO_SEGMENTED':
      return t(lang, 'noticeSegmented', { duration, count: result.segments?.length ?? 0 });
    default:
      return notice.message;
  }
}

/**
 * Fills a list with the notices of a Result, and hides it when there are none.
 * @param {HTMLElement} list a `<ul>`
 * @param {Notice[]} notices the analysis response's `notices`
 * @param {any} result
 * @param {import('./i18n.js').Lang} lang
 */
export function renderNotices(list, notices, result, lang) {
  list.replaceChildren(
    ...notices.map((notice) => {
      const item = document.createElement('li');
      item.dataset.code = notice.code;
      item.textContent = noticeText(notice, result, lang);
      return item;
    }),
  );
  list.hidden = notices.length === 0;
}
