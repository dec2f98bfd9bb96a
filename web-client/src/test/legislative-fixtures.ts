// Small dapil and parliament groups shaped like the server's (ResultsView.Legislative.cs):
// DPRD Kabupaten Berau with two of its dapils, three parties, two candidates each.
import type { CandidateResults, ChildTotals, ContestInfo, DapilSeatsView, PartyInfo, SeatsView, Snapshot, TotalsChanged } from '../types';

/** The contest and its first three parties as GET /api/v1/election names them. */
export const DPRD_KAB: ContestInfo = {
  id: 'dprd_kab', name: 'DPRD Kabupaten/Kota', kind: 'partyList', thresholdPercent: 0, parliaments: 508,
  choices: [{ id: '1', name: 'PKB' }, { id: '2', name: 'Gerindra' }, { id: '3', name: 'PDIP' }, { id: '4', name: 'Golkar' }],
};
export const PARTIES: PartyInfo[] = [
  { id: '1', number: 1, shortName: 'PKB', name: 'Partai Kebangkitan Bangsa', acehOnly: false, colour: '#00b156' },
  { id: '2', number: 2, shortName: 'Gerindra', name: 'Partai Gerakan Indonesia Raya', acehOnly: false, colour: '#9d1a2c' },
  { id: '3', number: 3, shortName: 'PDIP', name: 'Partai Demokrasi Indonesia Perjuangan', acehOnly: false, colour: '#ed0236' },
];

export function cand(party: string, number: number, votes: number, rank: number, elected: boolean): CandidateResults {
  return { id: `${party}.${number}`, party, number, name: `C${party}.${number}`, votes, rank, elected };
}

export function dapilSeats(id: string, won: Record<string, number>, needed = 5, seats = 3): DapilSeatsView {
  const parties = Object.keys(won);
  return {
    id, name: `Dapil ${id}`, seats, won,
    elected: parties.map((p) => ({ id: `${p}.1`, party: p, name: `C${p}.1`, votes: 10 })),
    last: parties.length ? { choice: parties[parties.length - 1] as string, votes: 30, divisor: 1, votesNeeded: 0 } : null,
    runnerUp: parties.length ? { choice: '3', votes: 25, divisor: 1, votesNeeded: needed } : null,
  };
}

export function dapilChild(id: string, reported: number, votes: Record<string, number>): ChildTotals {
  const valid = Object.values(votes).reduce((a, b) => a + b, 0);
  return { id, name: `Dapil ${id}`, level: 'dapil', stations: { total: 10, reported, quarantined: 0 }, votes, valid, invalid: 0 };
}

export function seatsView(dapils: DapilSeatsView[], won: Record<string, number>, total = 6): SeatsView {
  return { total, won, threshold: null, dapils };
}

export function dapilSnap(version: number, candidates: CandidateResults[], seats: SeatsView, epoch = 'e1'): Snapshot {
  return {
    contest: 'dprd_kab',
    region: { id: 'dapil:640301', name: 'Kab. Berau 1', level: 'dapil' },
    parents: [
      { id: '0', name: 'IDN', level: 'national' }, { id: '64', name: 'KALIMANTAN TIMUR', level: 'province' },
      { id: '6403', name: 'BERAU', level: 'regency' }, { id: 'parliament:6403', name: 'DPRD Kabupaten Berau', level: 'parliament' },
    ],
    epoch, version,
    stations: { total: 10, reported: version, quarantined: 0 },
    votes: { '1': 30, '2': 20, '3': 25 }, valid: 75, invalid: 0,
    children: [],
    candidates, seats,
  };
}

export function parliamentSnap(version: number, epoch = 'e1'): Snapshot {
  return {
    contest: 'dprd_kab',
    region: { id: 'parliament:6403', name: 'DPRD Kabupaten Berau', level: 'parliament' },
    parents: [{ id: '0', name: 'IDN', level: 'national' }, { id: '64', name: 'KALIMANTAN TIMUR', level: 'province' }, { id: '6403', name: 'BERAU', level: 'regency' }],
    epoch, version,
    stations: { total: 20, reported: 2, quarantined: 0 },
    votes: { '1': 60, '2': 40, '3': 50, '4': 0 }, valid: 150, invalid: 0,
    children: [dapilChild('dapil:640301', 1, { '1': 30, '2': 20, '3': 25 }), dapilChild('dapil:640302', 1, { '1': 30, '2': 20, '3': 25 })],
    candidates: null,
    seats: seatsView([dapilSeats('dapil:640301', { '1': 2, '2': 1 }, 5), dapilSeats('dapil:640302', { '1': 1, '3': 2 }, 2)], { '1': 3, '2': 1, '3': 2 }),
  };
}

export function legDelta(region: string, prevVersion: number, version: number, part: Partial<TotalsChanged> = {}): TotalsChanged {
  return {
    contest: 'dprd_kab', region, epoch: 'e1', prevVersion, version,
    stations: { total: 20, reported: version, quarantined: 0 },
    votes: { '1': version, '2': 0, '3': 0 }, valid: version, invalid: 0,
    children: [],
    ...part,
  };
}
