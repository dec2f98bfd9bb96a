// Indonesian (default) and English labels for every screen.
import type { Lang } from './format';
import type { ClientState } from './results-client';
import type { Level } from './types';

const dict = {
  id: {
    /** After a percentage: "2,82% TPS masuk". */
    reporting: 'TPS masuk',
    /** A label or column heading. */
    reportingHeading: 'TPS masuk',
    updated: 'diperbarui',
    ago: 'lalu',
    never: 'belum ada data',
    votes: 'Suara',
    share: 'Persentase',
    valid: 'Suara sah',
    invalid: 'Tidak sah',
    quarantined: 'Dikarantina',
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
    held: 'Ditahan',
    notFound: 'Wilayah atau pemilihan tidak dikenal',
    counted: 'Dihitung',
    seats: 'Kursi',
    seatsShort: 'kursi',
    projectedSeats: 'Proyeksi kursi',
    majority: 'Mayoritas',
    party: 'Partai',
    dapils: 'Daerah pemilihan',
    elected: 'Terpilih',
    next: 'Berikutnya',
    lastSeat: 'Kursi terakhir',
    runnerUp: 'Penantang terdekat',
    needs: 'butuh',
    moreVotes: 'suara lagi',
    threshold: 'Ambang batas',
    passes: 'Lolos',
    below: 'Tidak lolos',
    closest: 'Tersempit',
    notAllocated: 'Belum terbagi',
    others: 'Lainnya',
    contest: 'Pemilihan',
    province: 'Provinsi',
    parliament: 'DPRD',
    chooseProvince: 'Pilih provinsi…',
    chooseParliament: 'Pilih DPRD…',
    parliamentsHere: 'Parlemen',
    candidates: 'Calon',
    seatAllocation: 'Pembagian kursi',
    notice: 'Pemberitahuan',
    noParliament: 'Tidak ada parlemen di wilayah ini',
    rank: 'Peringkat',
    number: 'No.',
    noVotesYet: 'Belum ada suara',
    votesOf: 'suara dari',
    validCounted: 'suara sah terhitung',
    divisor: 'pembagi',
    parties: 'partai',
    second: 'Kedua',
    allocatedOf: 'terbagi dari',
  },
  en: {
    reporting: 'stations reporting',
    reportingHeading: 'Stations reporting',
    updated: 'updated',
    ago: 'ago',
    never: 'no data yet',
    votes: 'Votes',
    share: 'Share',
    valid: 'Valid votes',
    invalid: 'Invalid',
    quarantined: 'Quarantined',
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
    held: 'Held',
    notFound: 'Unknown region or contest',
    counted: 'Counted',
    seats: 'Seats',
    seatsShort: 'seats',
    projectedSeats: 'Projected seats',
    majority: 'Majority',
    party: 'Party',
    dapils: 'Electoral districts',
    elected: 'Elected',
    next: 'Next',
    lastSeat: 'Last seat',
    runnerUp: 'Closest challenger',
    needs: 'needs',
    moreVotes: 'more votes',
    threshold: 'Threshold',
    passes: 'Passes',
    below: 'Below',
    closest: 'Closest',
    notAllocated: 'Not allocated',
    others: 'Others',
    contest: 'Contest',
    province: 'Province',
    parliament: 'Parliament',
    chooseProvince: 'Choose a province…',
    chooseParliament: 'Choose a parliament…',
    parliamentsHere: 'Parliaments',
    candidates: 'Candidates',
    seatAllocation: 'Seat allocation',
    notice: 'Notice',
    noParliament: 'No parliament in this region',
    rank: 'Rank',
    number: 'No.',
    noVotesYet: 'No votes yet',
    votesOf: 'votes of',
    validCounted: 'valid votes counted',
    divisor: 'divisor',
    parties: 'parties',
    second: 'Second',
    allocatedOf: 'allocated of',
  },
} as const;

export type LabelKey = keyof typeof dict.id;

export function t(lang: Lang, key: LabelKey): string {
  return dict[lang][key];
}

const levels: Record<Lang, Record<Level, string>> = {
  id: { national: 'Nasional', province: 'Provinsi', regency: 'Kabupaten/Kota', district: 'Kecamatan', village: 'Kelurahan/Desa', tps: 'TPS', dapil: 'Daerah pemilihan', parliament: 'Parlemen' },
  en: { national: 'National', province: 'Province', regency: 'Regency/City', district: 'District', village: 'Village', tps: 'Polling station', dapil: 'Electoral district', parliament: 'Parliament' },
};

export function levelName(lang: Lang, level: Level): string {
  return levels[lang][level];
}

const states: Record<Lang, Record<ClientState, string>> = {
  id: { connecting: 'Menghubungkan', live: 'Langsung', reconnecting: 'Menyambung ulang', polling: 'Berkala', offline: 'Terputus', notFound: 'Tidak ditemukan' },
  en: { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', polling: 'Polling', offline: 'Offline', notFound: 'Not found' },
};

export function stateName(lang: Lang, s: ClientState): string {
  return states[lang][s];
}

export function parseLang(v: string | null | undefined): Lang {
  return v?.toLowerCase().startsWith('en') ? 'en' : 'id';
}
