// Landing page: links to the screens, the ticker embed snippet, and a live preview that
// loads the real built ticker.js exactly as a news site would.
import './index.css';
import { fetchElection } from './election';
import { noticeBand, showNoticeBand } from './marks';

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

let legislativeTicker: (() => void) | null = null;
let tickerReady = false;

function preview(): void {
  tickerReady = true;
  const demo = document.getElementById('demo') as HTMLElement;
  const wide = document.createElement('broadcast-ticker');
  wide.setAttribute('contest', 'ppwp');
  wide.setAttribute('region', '0');
  wide.setAttribute('server', origin);
  const narrow = wide.cloneNode() as HTMLElement;
  narrow.classList.add('narrow');
  narrow.setAttribute('lang', 'en');
  demo.append(wide, narrow);
  legislativeTicker?.();
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
  const notice = document.getElementById('notice');
  if (notice) showNoticeBand(notice, noticeBand(e));
  // An election with a national parliament (DPR): link its screens and preview its ticker.
  const dpr = e?.contests.find((c) => c.kind === 'partyList' && c.parliaments === 1);
  if (!dpr) return;
  const kab = e?.contests.find((c) => c.id === 'dprd_kab');
  const set = (id: string, href: string) => document.getElementById(id)?.setAttribute('href', href);
  set('leg-monitor', `./monitor.html?contest=${dpr.id}&region=parliament:0`);
  set('leg-overlay', `./overlay.html?contest=${dpr.id}&region=parliament:0`);
  if (kab) set('leg-berau', `./monitor.html?contest=${kab.id}&region=parliament:6403`);
  else document.getElementById('leg-berau')?.remove();
  const item = document.getElementById('legislative');
  if (item) item.hidden = false;
  legislativeTicker = () => {
    const column = document.createElement('div');
    column.className = 'column';
    const ticker = document.createElement('broadcast-ticker');
    ticker.setAttribute('contest', dpr.id);
    ticker.setAttribute('region', 'parliament:0');
    ticker.setAttribute('server', origin);
    column.append(ticker);
    document.getElementById('demo')?.append(column);
  };
  if (tickerReady) legislativeTicker();
});
