// "updated 12 s ago": how old the data on screen is, refreshed every second by each screen
// so a frozen feed is visible to the desk even when nothing else moves.
import { type Lang, formatAge } from './format';
import { t } from './i18n';

export function dataAgeText(lastUpdate: Date | null, lang: Lang, now: number = Date.now()): string {
  if (!lastUpdate) return t(lang, 'never');
  const age = formatAge(now - lastUpdate.getTime(), lang);
  return `${t(lang, 'updated')} ${age} ${t(lang, 'ago')}`;
}
