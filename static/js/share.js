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

export function embedSnippet(s = state) {
  // The server serves the embed page at /embed, a static site as embed.html.
  const src = new URL(urlFor(hasApi() ? 'embed' : 'embed.html', s), ROOT).href;
  return `<iframe src="${src.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}" title="${t('map')}" width="100%" height="480" style="border:0" loading="lazy"></iframe>`;
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
  document.getElementById('embed-open').addEventListener('click', () => {
    code.value = embedSnippet();
    dialog.showModal();
    code.focus();
    code.select();
  });
  document.getElementById('embed-copy').addEventListener('click', async () => say(await copy(code.value, code), document.getElementById('embed-status')));
  document.getElementById('embed-close').addEventListener('click', () => dialog.close());
}
