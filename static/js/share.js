// Sharing: copy the page URL (the state lives in it), and an "Embed" dialog with a ready
// <iframe> snippet for /embed with the current state.

import { state, urlFor } from './state.js';
import { hasApi, ROOT } from './api.js';
import { t } from './i18n.js';

async function copy(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (plain http on another host, or a denied permission): select instead.
    if (field) {
      field.focus();
      field.select();
      return document.execCommand?.('copy') ?? false;
    }
    return false;
  }
}

const attr = (v) => String(v).replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

/**
 * The `<iframe>` of /embed with the state's measure, year (or period), view and picked place
 * (the embed outlines what is there and shows its card), and the options: `height` in pixels,
 * `lang`, `legend` (false: `legend=0`). The `title` names the map for screen readers, in the
 * embed's language.
 */
export function embedSnippet(s = state, { height = 480, lang = s.lang, legend = true } = {}) {
  // The server serves the embed page at /embed, a static site as embed.html.
  const url = new URL(urlFor(hasApi() ? 'embed' : 'embed.html', { ...s, lang }), ROOT);
  if (!legend) url.searchParams.set('legend', '0');
  const h = Math.min(2000, Math.max(200, Math.round(Number(height) || 480)));
  return `<iframe src="${attr(url.href)}" title="${attr(t('map', {}, lang))}" width="100%" height="${h}" style="border:0" loading="lazy"></iframe>`;
}

export function initShare() {
  const status = document.getElementById('share-status');
  const dialog = document.getElementById('embed-dialog');
  const code = document.getElementById('embed-code');
  const say = (ok, where = status) => {
    where.textContent = ok ? t('copied') : '';
    setTimeout(() => (where.textContent = ''), 2500);
  };

  document.getElementById('copy-link').addEventListener('click', async () => {
    say(await copy(new URL(urlFor(location.pathname), location.href).href));
  });
  const height = document.getElementById('embed-height');
  const lang = document.getElementById('embed-lang');
  const legend = document.getElementById('embed-legend');
  const write = () => {
    code.value = embedSnippet(state, { height: height.value, lang: lang.value, legend: legend.checked });
  };
  for (const input of [height, lang, legend]) input.addEventListener('input', write);
  lang.addEventListener('change', write);
  legend.addEventListener('change', write);
  document.getElementById('embed-open').addEventListener('click', () => {
    lang.value = state.lang;
    write();
    dialog.showModal();
    code.focus();
    code.select();
  });
  document.getElementById('embed-copy').addEventListener('click', async () => say(await copy(code.value, code), document.getElementById('embed-status')));
  document.getElementById('embed-close').addEventListener('click', () => dialog.close());
}
