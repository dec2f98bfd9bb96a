// Indonesian (default) and English labels for every screen.
import type { Lang } from './format';
import type { ClientState } from './results-client';
import type { Level } from './types';

const dict = {
  id: {
    reporting: 'TPS masuk',
    updated: 'diperbarui',
    ago: 'lalu',
    never: 'belum ada data',
    votes: 'Suara',
    share: 'Persentase',
    valid: 'Suara sah',
    invalid: 'Tidak sah',
    quarantined: 'Dikarantina',
    stations: 'TPS',
    leader: 'Unggul',
    margin: 'Selisih',
    name: 'Nama',
    region: 'Wilayah',
    sortBy: 'Urutkan',
    sortReported: '% TPS masuk',
    sortName: 'Nama',
    sortMargin: 'Selisih unggul',
    provinces: 'Provinsi',
    children: 'Wilayah di bawahnya',
    loading: 'Memuat…',
    tie: 'Seri',
    results: 'Hasil hitung',
    lastUpdate: 'Pembaruan terakhir',
    audit: 'Jejak formulir',
  },
  en: {
    reporting: 'stations reporting',
    updated: 'updated',
    ago: 'ago',
    never: 'no data yet',
    votes: 'Votes',
    share: 'Share',
    valid: 'Valid votes',
    invalid: 'Invalid',
    quarantined: 'Quarantined',
    stations: 'Stations',
    leader: 'Leader',
    margin: 'Margin',
    name: 'Name',
    region: 'Region',
    sortBy: 'Sort by',
    sortReported: '% reporting',
    sortName: 'Name',
    sortMargin: 'Leader margin',
    provinces: 'Provinces',
    children: 'Sub-regions',
    loading: 'Loading…',
    tie: 'Tie',
    results: 'Results',
    lastUpdate: 'Last update',
    audit: 'Form audit trail',
  },
} as const;

export type LabelKey = keyof typeof dict.id;

export function t(lang: Lang, key: LabelKey): string {
  return dict[lang][key];
}

const levels: Record<Lang, Record<Level, string>> = {
  id: { national: 'Nasional', province: 'Provinsi', regency: 'Kabupaten/Kota', district: 'Kecamatan', village: 'Kelurahan/Desa', tps: 'TPS' },
  en: { national: 'National', province: 'Province', regency: 'Regency/City', district: 'District', village: 'Village', tps: 'Polling station' },
};

export function levelName(lang: Lang, level: Level): string {
  return levels[lang][level];
}

const states: Record<Lang, Record<ClientState, string>> = {
  id: { connecting: 'Menghubungkan', live: 'Langsung', reconnecting: 'Menyambung ulang', polling: 'Berkala', offline: 'Terputus' },
  en: { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', polling: 'Polling', offline: 'Offline' },
};

export function stateName(lang: Lang, s: ClientState): string {
  return states[lang][s];
}

export function parseLang(v: string | null | undefined): Lang {
  return v?.toLowerCase().startsWith('en') ? 'en' : 'id';
}
