// Landing page: links to the screens, the ticker embed snippet, and a live preview that
// loads the real built ticker.js exactly as a news site would.
import './index.css';
import { fetchElection } from './election';

const origin = location.origin;
const here = new URL('.', location.href).href;
const snippet =
  `<script src="${here}ticker.js" defer></script>\n` +
  `<broadcast-ticker contest="ppwp" region="0"></broadcast-ticker>`;
const code = document.getElementById('snippet') as HTMLElement;
code.textContent = snippet;

document.getElementById('copy')?.addEventListener('click', () => {
  void navigator.clipboard?.writeText(snippet);
});

function preview(): void {
  const demo = document.getElementById('demo') as HTMLElement;
  const wide = document.createElement('broadcast-ticker');
  wide.setAttribute('contest', 'ppwp');
  wide.setAttribute('region', '0');
  wide.setAttribute('server', origin);
  const narrow = wide.cloneNode() as HTMLElement;
  narrow.classList.add('narrow');
  narrow.setAttribute('lang', 'en');
  demo.append(wide, narrow);
}

if (import.meta.env.DEV) {
  // The dev server has no built ticker.js: use the module directly.
  void import('./ticker').then(preview);
} else {
  const script = document.createElement('script');
  script.src = `${here}ticker.js`;
  script.onload = preview;
  document.head.append(script);
}

void fetchElection('').then((e) => {
  const el = document.getElementById('election');
  if (e?.name && el) el.textContent = e.name;
});
