// Data shapes of the read API and the SignalR hub, exactly as docs/api.md defines them.
// JSON and MessagePack use the same camelCase keys.

export type Level = 'national' | 'province' | 'regency' | 'district' | 'village' | 'tps';

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
}

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

export interface ContestInfo {
  id: string;
  name: string;
  choices: ChoiceInfo[];
}

/** `GET /api/v1/election`. */
export interface Election {
  id: string;
  name: string;
  contests: ContestInfo[];
}
