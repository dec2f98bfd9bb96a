// Region names as people write them. The data spells most of them in capitals ("DKI JAKARTA",
// "KAB. ADM. KEP. SERIBU"), some letter by letter ("P A P U A"), a few already in mixed case
// ("Luar Negeri", "Abu Dhabi, Uni Emirat Arab"). Screens show them alike: "DKI Jakarta",
// "Kab. Adm. Kep. Seribu", "Papua", "Luar Negeri".

/** Abbreviations that stay in capitals. */
const ACRONYMS = new Set([
  'DKI', 'DI', 'NTB', 'NTT', 'NAD', 'RI', 'IDN', 'TPS', 'KSK', 'POS', 'DPR', 'DPRD', 'DPD', 'UPT', 'PIR', 'SP',
]);

/** Roman numerals up to 39 (dapils "DKI Jakarta II", villages "Sosa I", "Petanduk-II"). */
const ROMAN = /^X{0,3}(IX|IV|V?I{0,3})$/;

/** A name is re-cased only when it has no lower-case letter: mixed case is someone's deliberate spelling. */
export function displayName(name: string): string {
  if (/\p{Ll}/u.test(name)) return name.trim();
  let words = name.trim().split(/\s+/).filter((w) => w.length > 0);
  // "P A P U A", "J A T I": letters spaced out for emphasis are one word.
  if (words.length > 1 && words.every((w) => /^\p{L}$/u.test(w))) words = [words.join('')];
  return words.map(word).join(' ');
}

function word(w: string): string {
  // Parts split at hyphens and slashes keep their separators: "SIGALA-GALA", "TIRO/TRUSEB", "PETANDUK-II".
  return w.split(/([-/])/).map(part).join('');
}

function part(p: string): string {
  const bare = p.replace(/[^\p{L}]/gu, '');
  if (bare.length === 0) return p;
  // A single letter ("SOSA I B", "(U)") and known abbreviations stay capitals; so do Roman numerals.
  if (bare.length === 1 || ACRONYMS.has(bare) || (ROMAN.test(bare) && !p.includes('.'))) return p;
  // First letter of the part and after a dot or bracket up, the rest down: "KAB." → "Kab.",
  // "P.PUNTONG" → "P.Puntong", "(MISOOL" → "(Misool", "MA'RUF" → "Ma'ruf".
  return p.toLowerCase().replace(/(^|[.(])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

/** A presidential pair's two people, split at the dash: "Prabowo Subianto – Gibran Rakabuming Raka" → both names; anything else → itself. */
export function pairLines(name: string): string[] {
  const parts = name.split(/\s+[\u2013\u2014-]\s+/).map((p) => p.trim()).filter((p) => p.length > 0);
  return parts.length > 1 ? parts : [name.trim()];
}

/**
 * A short name for narrow screens: each person's first name, as the press writes pairs
 * ("Anies – Muhaimin", "Prabowo – Gibran"); a leading title ("Dr.", "H.") is skipped.
 * Not initials: a short name must still say who it is.
 */
export function shortName(name: string): string {
  return pairLines(name).map((person) => {
    const words = person.split(/\s+/);
    return words.find((w) => !w.endsWith('.')) ?? words[0] ?? person;
  }).join(' – ');
}
