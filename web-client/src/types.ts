// Data shapes of the read API and the SignalR hub, exactly as docs/api.md defines them
// (legislative groups: src/Broadcast.Server/Results/ResultsMessages.cs).
// JSON and MessagePack use the same camelCase keys.

/** Region levels, plus the legislative groups: a dapil (`dapil:<code>`) and a parliament (`parliament:<region id>`). */
export type Level = 'national' | 'province' | 'regency' | 'district' | 'village' | 'tps' | 'dapil' | 'parliament';

export interface StationCounts {
  total: number;
  reported: number;
  quarantined: number;
}

/** Votes per choice id ("01", "02", ...). */
export type Votes = Record<string, number>;

export interface RegionRef {
  id: string;
  name: string;
  level: Level;
}

/** One child region (or polling station) in a snapshot or a delta. */
export interface ChildTotals extends RegionRef {
  stations: StationCounts;
  votes: Votes;
  valid: number;
  invalid: number;
}

/** `GET /api/v1/results/{contest}/{region}` and the result of the hub's `Subscribe`. */
export interface Snapshot {
  contest: string;
  region: RegionRef;
  parents: RegionRef[];
  epoch: string;
  version: number;
  stations: StationCounts;
  votes: Votes;
  valid: number;
  invalid: number;
  children: ChildTotals[];
  /** A dapil's candidates (all of them in a snapshot); null for regions and parliaments. */
  candidates?: CandidateResults[] | null;
  /** A dapil's or a parliament's projected seats; null for regions. */
  seats?: SeatsView | null;
  /**
   * The chain link of `version` (docs/api.md, "Every number names its link"); absent when the
   * frame that brought `version` left it out (a `Headline`), or an older server sent none.
   */
  chain?: ChainHead | null;
  /**
   * Set while an operator holds the group's publication: the numbers are those of `held.seq`
   * and the epoch is `<epoch>-held` (docs/api.md, "Publication holds"). A state that was live
   * when the hold came sets it from the `Held` push; null or absent otherwise.
   */
  held?: HeldView | null;
}

/** A link of the tamper-evident revision chain: the hash (hex) of the revision at `seq`, which covers every revision up to it. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** A publication hold as viewers see it: the numbers are those of `seq`, held since `since` (ISO 8601). */
export interface HeldView {
  seq: number;
  since: string;
}

/** Hub push `Held`: an operator held (`held` true: no frames until the release) or released the group. */
export interface HeldNotice {
  contest: string;
  region: string;
  held: boolean;
  seq: number;
  since: string;
}

/** A candidate of a dapil: id `<party>.<list number>` ("3.1"), or the ballot number for DPD ("7", party null). */
export interface CandidateResults {
  id: string;
  party: string | null;
  number: number;
  name: string;
  votes: number;
  /** Within the party (DPD: the province), 1 = strongest. */
  rank: number;
  elected: boolean;
}

/** Projected seats of a dapil or a parliament. */
export interface SeatsView {
  total: number;
  /** Seats per party (DPD dapil: 1 per elected candidate number; DPD parliament: empty). */
  won: Record<string, number>;
  /** The DPR's national threshold; null for the other contests. */
  threshold: ThresholdView | null;
  /** A dapil: its one dapil. A parliament snapshot: all its dapils; its deltas: those that changed. */
  dapils: DapilSeatsView[];
}

export interface ThresholdView {
  percent: number;
  /** National valid votes counted so far. */
  valid: number;
  /** Votes a party needs to pass. */
  votes: number;
  /** Party ids over the threshold. */
  passing: string[];
}

export interface DapilSeatsView {
  id: string;
  name: string;
  seats: number;
  won: Record<string, number>;
  elected: ElectedView[];
  /** Who took the last seat (votesNeeded 0); null before any vote. */
  last: SeatClaim | null;
  /** Who needs the fewest votes to take the last seat; null when nobody can. */
  runnerUp: SeatClaim | null;
}

/** A claim on a dapil's last seat: party (DPD: candidate number), votes, divisor, votes still needed. */
export interface SeatClaim {
  choice: string;
  votes: number;
  divisor: number;
  votesNeeded: number;
}

export interface ElectedView {
  id: string;
  party: string | null;
  name: string;
  votes: number;
}

/** Hub push `TotalsChanged`: absolute totals of the group plus the children that changed. */
export interface TotalsChanged {
  contest: string;
  region: string;
  epoch: string;
  prevVersion: number;
  version: number;
  stations: StationCounts;
  votes: Votes;
  valid: number;
  invalid: number;
  children: ChildTotals[];
  /** A dapil: only the candidates whose votes, rank or elected changed (replace by id). */
  candidates?: CandidateResults[] | null;
  /** A dapil: its full seats. A parliament: total/won/threshold in full, `dapils` only those that changed. */
  seats?: SeatsView | null;
  chain?: ChainHead | null;
}

/** What a `SubscribeWith` asks for: `headline` (the group's totals and seats, no children,
 * candidates or per-dapil seats) or `full`. */
export type View = 'headline' | 'full';

/** The third argument of the hub's `SubscribeWith(contest, group, options)`. */
export interface SubscribeOptions {
  view: View;
  /** Frames per second at most (0.1 to 20); null: one per aggregation run. */
  maxPerSecond: number | null;
}

/**
 * What a packed frame's `packed` holds of its group: the totals, absolute, `votes` listing the
 * counts in the ordinal order of the choice ids the snapshot holds (results-state's choiceOrder).
 */
export interface PackedTotals {
  stations: StationCounts;
  valid: number;
  invalid: number;
  votes: number[];
}

/** A child in a `Delta`'s `packed`: its counts, in the same order as the group's. */
export interface ChildPatch {
  /** Into the snapshot's `children`. */
  index: number;
  /** true: the counts are the child's now (replace); false: increments to add to those held. */
  absolute: boolean;
  reported: number;
  quarantined: number;
  valid: number;
  invalid: number;
  /** In the ordinal order of the child's own choice ids. */
  votes: number[];
}

/** A frame's `packed`, read as far as it can be without the snapshot. */
export interface Packed {
  totals: PackedTotals;
  /** The chain hash of the revision at the frame's version (hex, lower-case); null when the frame has none. */
  chainHash: string | null;
  /**
   * The children, still packed: how many votes each one lists is not in the bytes but in the
   * snapshot, so only the state can read them (packed-reader's readChildren). Null: none.
   */
  children: Uint8Array | null;
}

/**
 * Hub push `Headline` (a `headline` subscription): the group's totals, absolute, packed. No
 * epoch: a frame belongs to the epoch of the snapshot its subscription returned.
 */
export interface Headline {
  contest: string;
  region: string;
  prevVersion: number;
  version: number;
  /** Null when the bytes do not read as the packed layout: the frame cannot be applied. */
  packed: Packed | null;
  /** A dapil or parliament: total, won and threshold (no `dapils`). */
  seats?: SeatsView | null;
}

/** A dapil's candidate in a `Delta`: only the fields that changed. */
export interface CandidateChange {
  id: string;
  votes?: number;
  rank?: number;
  elected?: boolean;
}

/** Hub push `Delta` (a `full` subscription): absolute group totals, the changed children as patches by index, packed. */
export interface Delta extends Headline {
  candidates?: CandidateChange[] | null;
}

/** Anything that moves a held snapshot from `prevVersion` to `version`, tagged with its push. */
export type Frame =
  | (TotalsChanged & { kind: 'TotalsChanged' })
  | (Headline & { kind: 'Headline' })
  | (Delta & { kind: 'Delta' });

/** Result of the hub's `Resume(contest, region, version)`. */
export interface ResumeResult {
  deltas: TotalsChanged[];
  snapshot: Snapshot | null;
}

/** Hub push `TotalsRebuilt`. */
export interface TotalsRebuilt {
  epoch: string;
}

export interface ChoiceInfo {
  id: string;
  name: string;
}

export type ContestKind = 'flat' | 'partyList' | 'candidateList';

export interface ContestInfo {
  id: string;
  name: string;
  /** flat (presidential pairs), partyList (DPR, DPRD), candidateList (DPD). */
  kind: ContestKind;
  /** The pairs, or the parties of a party-list contest (name = short name); empty for DPD. */
  choices: ChoiceInfo[];
  /** National threshold in percent (DPR: 4), 0 = none. */
  thresholdPercent: number;
  /** How many parliaments the contest elects. */
  parliaments: number;
}

export interface PartyInfo {
  /** Ballot number as text, "1".."24". */
  id: string;
  number: number;
  shortName: string;
  name: string;
  acehOnly: boolean;
  /** "#rrggbb", Broadcast's colour (data/README.md). */
  colour: string;
}

/** `GET /api/v1/election`. */
export interface Election {
  id: string;
  name: string;
  /** When set, every screen shows it (e.g. that the data is synthetic). */
  notice: string | null;
  /** A rehearsal server (`--rehearsal`, demo mode): every screen marks its numbers LATIHAN · REHEARSAL. */
  rehearsal: boolean;
  contests: ContestInfo[];
  parties: PartyInfo[];
}

/** `GET /api/v1/election/{contest}/parliaments?within=<region>`. */
export interface ParliamentInfo {
  /** `parliament:<region id>`. */
  id: string;
  name: string;
  /** The governed region's id. */
  region: string;
  seats: number;
  dapils: DapilInfo[];
}

export interface DapilInfo {
  /** `dapil:<code>`. */
  id: string;
  code: string;
  name: string;
  seats: number;
  stations: number;
}
