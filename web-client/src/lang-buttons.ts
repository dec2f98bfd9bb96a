// The [data-lang] buttons in a page's top bar (monitor, station view, operator console): which
// one is pressed, and a click that switches the page's language and keeps it in the URL
// (`lang=`), so a reload or a copied link opens in the same language.
import type { Lang } from './format';
import { parseLang } from './i18n';

function langButtons(): NodeListOf<HTMLButtonElement> {
  return document.querySelectorAll<HTMLButtonElement>('[data-lang]');
}

/** Shows the button of `lang` pressed, the others not. */
export function pressLangButton(lang: Lang): void {
  for (const b of langButtons()) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
}

/** On a click: `lang=` in the URL (replacing the history entry, not adding one), then `onPick`. */
export function onLangButtons(onPick: (lang: Lang) => void): void {
  for (const b of langButtons()) {
    b.addEventListener('click', () => {
      const lang = parseLang(b.dataset.lang);
      const url = new URL(location.href);
      url.searchParams.set('lang', lang);
      history.replaceState(history.state, '', url);
      onPick(lang);
    });
  }
}
