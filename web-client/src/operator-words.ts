// The operator console's words, Indonesian (default) and English, like the other pages' labels
// in i18n.ts. The console has many of its own, so they live here.
import type { Lang } from './format';

const id = {
  title: 'Konsol operator',
  signIn: 'Masuk', signOut: 'Keluar', secret: 'Kunci rahasia operator',
  secretHelp: 'Kunci rahasia Anda sendiri. Hanya disimpan di tab ini (sessionStorage) dan dikirim sebagai Authorization: Bearer.',
  wrongSecret: 'Kunci rahasia salah: server menolaknya (401).', secretMissing: 'Tempel kunci rahasia operator Anda.',
  signedInAs: 'Masuk sebagai', checking: 'Memeriksa…', unreachable: 'Server tidak terjangkau',
  sessionEnded: 'Server tidak lagi menerima kunci ini (401): masuk lagi.',
  tabQueue: 'Antrean tinjauan', tabHolds: 'Penahanan', tabTotals: 'Hitung ulang & rekonsiliasi', tabKeys: 'Kunci ingest', tabRehearsal: 'Gladi',
  sections: 'Bagian konsol',
  reason: 'Alasan', reasonRequired: 'Alasan wajib diisi: katakan mengapa (disimpan dalam jejak audit).',
  reasonTooLong: (n: number) => `Alasan paling banyak ${n} karakter.`,
  // Review queue
  queueEmpty: 'Tidak ada TPS yang menunggu keputusan.',
  queueCount: (from: number, to: number, total: number) => `${from}–${to} dari ${total} TPS menunggu keputusan`,
  prev: '‹ Sebelumnya', next: 'Berikutnya ›', refresh: 'Muat ulang', allContests: 'Semua pemilihan',
  accept: 'Terima', reject: 'Tolak', stationView: 'Tampilan TPS',
  countedRev: (r: number) => `Dihitung (revisi ${r})`, noneCounted: 'Dihitung: belum ada', heldRev: (r: number) => `Ditahan (revisi ${r})`,
  change: 'Perubahan jika diterima', failedRules: 'Aturan yang gagal',
  accepted: (s: string, r: number) => `${s}: revisi ${r} diterima dan dihitung.`,
  rejected: (s: string, r: number) => `${s}: revisi ${r} ditolak.`,
  validVotes: 'Suara sah', invalidVotes: 'Tidak sah', totalBallots: 'Jumlah surat suara', submittedBy: 'Pengirim',
  // Holds
  holdsInForce: 'Penahanan yang berlaku', noHolds: 'Tidak ada penahanan.',
  takeHold: 'Tahan publikasi', holdHelp: 'Angka pemilihan di wilayah ini (dan semua di bawahnya) dibekukan untuk pemirsa sampai dilepas; penghitungan berjalan terus.',
  contest: 'Pemilihan', region: 'Wilayah', regionId: 'ID wilayah', regionHelp: '"0": seluruh pemilihan. Atau pilih menurut nama:',
  pickProvince: 'Provinsi…', pickBelow: 'Di bawahnya…', since: 'Sejak', seq: 'Seq', operator: 'Operator',
  release: 'Lepas', held: (c: string, r: string, seq: number) => `${c} di ${r} ditahan pada seq ${seq}.`,
  released: (c: string, r: string) => `${c} di ${r} dilepas.`,
  // Totals
  rebuild: 'Hitung ulang semua total', rebuildHelp: 'Menghitung ulang setiap total dari formulir yang tersimpan, dengan epoch baru (semua layar mengambil snapshot baru).',
  reconcile: 'Rekonsiliasi', reconcileHelp: 'Membandingkan total inkremental dengan penjumlahan dari awal, dan memeriksa seluruh rantai.',
  aggregate: 'Agregasi sekarang', running: 'Berjalan…', elapsed: 'berlalu',
  epoch: 'Epoch', version: 'Versi', took: 'Waktu', groupsCompared: 'Grup dibandingkan', noDrift: 'Tidak ada selisih.',
  drift: 'Selisih', source: 'Sumber', field: 'Kolom', expected: 'Seharusnya', actual: 'Tercatat',
  runs: 'Putaran', revisions: 'Revisi', groups: 'Grup', rebuilt: 'Total dihitung ulang.', reconciled: 'Rekonsiliasi selesai.', aggregated: 'Agregasi selesai.',
  // Keys
  keys: 'Kunci ingest', createKey: 'Buat kunci', keyId: 'ID kunci', keyIdHelp: '1–64 huruf, angka, -, _ atau .',
  keyIdInvalid: 'ID kunci: 1–64 huruf, angka, -, _ atau .', contests: 'Pemilihan', regions: 'Wilayah (ID, dipisah koma)',
  contestsHelp: 'Tidak ada yang dicentang: semua pemilihan.', all: 'semua', requireSignature: 'Wajib bertanda tangan', scope: 'Cakupan', state: 'Status', created: 'Dibuat', revokedCol: 'Dicabut',
  live: 'aktif', revokedState: 'dicabut', config: 'konfigurasi (hanya baca)', stored: 'tersimpan', actions: 'Tindakan',
  changeScope: 'Ubah', save: 'Simpan', cancel: 'Batal', revoke: 'Cabut',
  secretOnce: 'Kunci rahasia baru — salin sekarang: tidak akan ditampilkan lagi.', copy: 'Salin', copied: 'Tersalin',
  storedIt: 'Sudah saya simpan', keyCreated: (k: string) => `Kunci ${k} dibuat.`, keyChanged: (k: string) => `Kunci ${k} diubah.`,
  keyRevoked: (k: string) => `Kunci ${k} dicabut.`, yes: 'ya', no: 'tidak',
  // Rehearsal
  rehearsalReset: 'Setel ulang gladi', rehearsalHelp: 'Menghapus setiap formulir dan total gladi ini; semua layar mulai lagi dari nol.',
  confirmReset: 'Hapus setiap formulir dan total gladi ini?', confirm: 'Ya, setel ulang', resetDone: 'Gladi disetel ulang.',
  notRehearsal: 'Server ini menghitung pemilu sungguhan: tidak bisa disetel ulang.',
  // Live panel
  livePanel: 'Panel langsung', formsPerSecond: 'Formulir/dtk', aggregationLag: 'Tertunda agregasi', formToScreen: 'Formulir → layar',
  viewers: 'Pemirsa', node: 'Node', checkpoint: 'Checkpoint', lastSeq: 'Seq terakhir', chain: 'Rantai',
  chainOk: (n: number) => `utuh (${n} revisi diperiksa)`, chainBroken: (seq: number) => `RUSAK pada seq ${seq}`, chainUnchecked: 'belum diperiksa',
  revisionsBehind: 'revisi', updatedAgo: (s: string) => `diperbarui ${s} lalu`, recentActions: 'Tindakan operator terakhir', noActions: 'Belum ada tindakan.',
  at: 'Waktu', action: 'Tindakan', target: 'Sasaran',
  failed: 'Gagal', offline: 'Server tidak menjawab',
};

type Words = typeof id;

const en: Words = {
  title: 'Operator console',
  signIn: 'Sign in', signOut: 'Sign out', secret: 'Operator secret',
  secretHelp: 'Your own secret. Kept in this tab only (sessionStorage) and sent as Authorization: Bearer.',
  wrongSecret: 'Wrong secret: the server refused it (401).', secretMissing: 'Paste your operator secret.',
  signedInAs: 'Signed in as', checking: 'Checking…', unreachable: 'Server unreachable',
  sessionEnded: 'The server no longer accepts this secret (401): sign in again.',
  tabQueue: 'Review queue', tabHolds: 'Holds', tabTotals: 'Rebuild & reconcile', tabKeys: 'Ingest keys', tabRehearsal: 'Rehearsal',
  sections: 'Console sections',
  reason: 'Reason', reasonRequired: 'A reason is required: say why (it is kept in the audit trail).',
  reasonTooLong: (n: number) => `A reason has at most ${n} characters.`,
  queueEmpty: 'No station awaits a decision.',
  queueCount: (from: number, to: number, total: number) => `${from}–${to} of ${total} stations awaiting a decision`,
  prev: '‹ Previous', next: 'Next ›', refresh: 'Refresh', allContests: 'All contests',
  accept: 'Accept', reject: 'Reject', stationView: 'Station view',
  countedRev: (r: number) => `Counted (revision ${r})`, noneCounted: 'Counted: none', heldRev: (r: number) => `Held (revision ${r})`,
  change: 'Change if accepted', failedRules: 'Rules that failed',
  accepted: (s: string, r: number) => `${s}: revision ${r} accepted and counted.`,
  rejected: (s: string, r: number) => `${s}: revision ${r} rejected.`,
  validVotes: 'Valid votes', invalidVotes: 'Invalid', totalBallots: 'Total ballots', submittedBy: 'Sent by',
  holdsInForce: 'Holds in force', noHolds: 'No holds.',
  takeHold: 'Hold publication', holdHelp: "The contest's numbers in this region (and everything under it) freeze for viewers until released; counting goes on.",
  contest: 'Contest', region: 'Region', regionId: 'Region id', regionHelp: '"0": the whole contest. Or pick by name:',
  pickProvince: 'Province…', pickBelow: 'Below…', since: 'Since', seq: 'Seq', operator: 'Operator',
  release: 'Release', held: (c: string, r: string, seq: number) => `${c} in ${r} held at seq ${seq}.`,
  released: (c: string, r: string) => `${c} in ${r} released.`,
  rebuild: 'Rebuild every total', rebuildHelp: 'Recomputes every total from the stored forms under a new epoch (every screen takes a fresh snapshot).',
  reconcile: 'Reconcile', reconcileHelp: 'Compares the incremental totals with a from-scratch sum, and checks the whole chain.',
  aggregate: 'Aggregate now', running: 'Running…', elapsed: 'elapsed',
  epoch: 'Epoch', version: 'Version', took: 'Took', groupsCompared: 'Groups compared', noDrift: 'No drift.',
  drift: 'Drift', source: 'Source', field: 'Field', expected: 'Expected', actual: 'Actual',
  runs: 'Runs', revisions: 'Revisions', groups: 'Groups', rebuilt: 'Totals rebuilt.', reconciled: 'Reconciliation done.', aggregated: 'Aggregation done.',
  keys: 'Ingest keys', createKey: 'Create a key', keyId: 'Key id', keyIdHelp: '1–64 letters, digits, -, _ or .',
  keyIdInvalid: 'Key id: 1–64 letters, digits, -, _ or .', contests: 'Contests', regions: 'Regions (ids, comma-separated)',
  contestsHelp: 'None ticked: every contest.', all: 'all', requireSignature: 'Require signatures', scope: 'Scope', state: 'State', created: 'Created', revokedCol: 'Revoked',
  live: 'live', revokedState: 'revoked', config: 'configuration (read-only)', stored: 'stored', actions: 'Actions',
  changeScope: 'Change', save: 'Save', cancel: 'Cancel', revoke: 'Revoke',
  secretOnce: 'New secret — copy it now: it will not be shown again.', copy: 'Copy', copied: 'Copied',
  storedIt: 'I have stored it', keyCreated: (k: string) => `Key ${k} created.`, keyChanged: (k: string) => `Key ${k} changed.`,
  keyRevoked: (k: string) => `Key ${k} revoked.`, yes: 'yes', no: 'no',
  rehearsalReset: 'Reset rehearsal', rehearsalHelp: "Deletes every form and total of this rehearsal; every screen starts again from nothing.",
  confirmReset: "Delete every form and total of this rehearsal?", confirm: 'Yes, reset', resetDone: 'Rehearsal reset.',
  notRehearsal: 'This server counts the live election: it cannot be reset.',
  livePanel: 'Live panel', formsPerSecond: 'Forms/s', aggregationLag: 'Aggregation lag', formToScreen: 'Form → screen',
  viewers: 'Viewers', node: 'Node', checkpoint: 'Checkpoint', lastSeq: 'Last seq', chain: 'Chain',
  chainOk: (n: number) => `intact (${n} revisions checked)`, chainBroken: (seq: number) => `BROKEN at seq ${seq}`, chainUnchecked: 'not checked yet',
  revisionsBehind: 'revisions', updatedAgo: (s: string) => `updated ${s} ago`, recentActions: 'Recent operator actions', noActions: 'No actions yet.',
  at: 'At', action: 'Action', target: 'Target',
  failed: 'Failed', offline: 'The server does not answer',
};

const words: Record<Lang, Words> = { id, en };

export function w(lang: Lang): Words {
  return words[lang];
}

const ACTIONS: Record<Lang, Record<string, string>> = {
  id: {
    rebuild: 'Hitung ulang', 'rehearsal-reset': 'Setel ulang gladi', hold: 'Tahan', release: 'Lepas',
    'ingest-key-create': 'Buat kunci', 'ingest-key-change': 'Ubah kunci', 'ingest-key-revoke': 'Cabut kunci',
  },
  en: {
    rebuild: 'Rebuild', 'rehearsal-reset': 'Rehearsal reset', hold: 'Hold', release: 'Release',
    'ingest-key-create': 'Key created', 'ingest-key-change': 'Key changed', 'ingest-key-revoke': 'Key revoked',
  },
};

/** An operator action's name in words; the server's code when it is one the console does not know. */
export function actionName(action: string, lang: Lang): string {
  return ACTIONS[lang][action] ?? action;
}
