import { describe, expect, it } from 'vitest';
import { displayName, pairLines, shortName } from './names';

describe('displayName', () => {
  it.each([
    ['P A P U A', 'Papua'],
    ['J A T I', 'Jati'],
    ['DKI JAKARTA', 'DKI Jakarta'],
    ['DAERAH ISTIMEWA YOGYAKARTA', 'Daerah Istimewa Yogyakarta'],
    ['DI YOGYAKARTA', 'DI Yogyakarta'],
    ['NTB', 'NTB'],
    ['KALIMANTAN TIMUR', 'Kalimantan Timur'],
    ['PAPUA BARAT DAYA', 'Papua Barat Daya'],
    ['KAB. ADM. KEP. SERIBU', 'Kab. Adm. Kep. Seribu'],
    ['SIGALA-GALA', 'Sigala-Gala'],
    ['TIRO/TRUSEB', 'Tiro/Truseb'],
    ["MA'RUF", "Ma'ruf"],
    ['P.PUNTONG', 'P.Puntong'],
    ['PIR TRANS SOSA I B', 'PIR Trans Sosa I B'],
    ['PETANDUK-II', 'Petanduk-II'],
    ['DKI JAKARTA II', 'DKI Jakarta II'],
    ['WAMESA I / IDOOR', 'Wamesa I / Idoor'],
    ['(MISOOL UTARA)', '(Misool Utara)'],
    ['2 X 11 KAYU TANAM', '2 X 11 Kayu Tanam'],
    ['TPS 1', 'TPS 1'],
    ['KOTA  BANDA ACEH ', 'Kota Banda Aceh'],
  ])('%s → %s', (raw, shown) => {
    expect(displayName(raw)).toBe(shown);
  });

  it('keeps names that already have lower-case letters as they are', () => {
    for (const name of ['Luar Negeri', 'Abu Dhabi, Uni Emirat Arab', 'DPRD Kabupaten Berau', 'Kab. Berau 1', 'Indonesia']) {
      expect(displayName(name)).toBe(name);
    }
  });

  it('leaves an empty name empty', () => {
    expect(displayName('')).toBe('');
    expect(displayName('  ')).toBe('');
  });
});

describe('pair names', () => {
  it('splits a pair at its dash, one person a line', () => {
    expect(pairLines('Prabowo Subianto – Gibran Rakabuming Raka')).toEqual(['Prabowo Subianto', 'Gibran Rakabuming Raka']);
    expect(pairLines("Joko Widodo - Ma'ruf Amin")).toEqual(['Joko Widodo', "Ma'ruf Amin"]);
    expect(pairLines('PDIP')).toEqual(['PDIP']);
    expect(pairLines('Nasi-Uduk')).toEqual(['Nasi-Uduk']);
  });

  it('shortens to first names, never initials', () => {
    expect(shortName('Anies Baswedan – Muhaimin Iskandar')).toBe('Anies – Muhaimin');
    expect(shortName('Prabowo Subianto – Gibran Rakabuming Raka')).toBe('Prabowo – Gibran');
    expect(shortName('Ganjar Pranowo – Mahfud MD')).toBe('Ganjar – Mahfud');
    expect(shortName("Joko Widodo – Ma'ruf Amin")).toBe("Joko – Ma'ruf");
    expect(shortName('Dr. H. Ahmad Dahlan – Ir. Budi')).toBe('Ahmad – Budi');
    expect(shortName('01')).toBe('01');
  });
});
