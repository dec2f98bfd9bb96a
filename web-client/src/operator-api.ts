// The operator API as the console calls it: every request carries the operator's secret as a
// bearer (never logged, never put in a URL), JSON both ways, and a refusal becomes an
// ApiError with the problem+json's detail and its errors by field. Shapes: docs/api.md,
// "Operators", "Ingest keys", "Publication holds".

/** A refused or failed request: `status` 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The problem's title or detail, for people. */
    readonly detail: string,
    /** The problem+json `errors`: per field (`reason`, `regions[1]`) its messages. */
    readonly errors: Record<string, string[]> = {},
    /** The problem's `type`, last path segment (`unauthorized`, `invalid-form`). */
    readonly type = '',
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
const optNum = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : num(v));

/** Reads a problem+json body (or anything else) into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  const o = obj(body);
  const errors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(obj(o.errors))) errors[field] = list(messages).map(str);
  const detail = str(o.detail) || str(o.title) || `HTTP ${status}`;
  const type = str(o.type).split('/').pop() ?? '';
  return new ApiError(status, detail, errors, type);
}

export interface Hold {
  contest: string;
  region: string;
  seq: number;
  since: string;
  operator: string;
  reason: string;
}

export interface IngestKey {
  id: string;
  /** `config` (read-only here) or `store`. */
  source: string;
  readOnly: boolean;
  contests: string[];
  regions: string[];
  requireSignature: boolean;
  revoked: boolean;
  createdAt: string | null;
  createdBy: string | null;
  createdReason: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokedReason: string | null;
}

export interface OperatorAction {
  id: number;
  at: string;
  operator: string;
  action: string;
  target: string;
  reason: string;
}

export interface NightStatus {
  node: string;
  epoch: string;
  lastSeq: number;
  checkpoint: number;
  aggregationLag: number;
  formsPerSecond: number;
  formToScreen: { runs: number; p50: number | null; p95: number | null; max: number | null };
  nodes: { node: string; viewers: number; checkpoint: number; at: string }[];
  /** The last full check of the chain; null before the first. */
  chain: { checked: number; firstBreak: number | null; at: string } | null;
}

export interface RebuildReport {
  epoch: string;
  version: number;
  elapsedMs: number;
}

export interface Drift {
  source: string;
  contest: string;
  region: string;
  field: string;
  expected: number;
  actual: number;
}

export interface ReconcileReport extends RebuildReport {
  groupsCompared: number;
  drift: Drift[];
}

export interface AggregateReport {
  runs: number;
  revisions: number;
  groups: number;
}

/** A queued station's revision, as raw JSON: station-view's toStationTrail reads it. */
export interface QueuedStation {
  contest: string;
  station: string;
  /** Province down to village. */
  regions: { id: string; name: string }[];
  held: unknown;
  counted: unknown | null;
  rules: { code: string; text: string }[];
}

export interface QueuePage {
  total: number;
  items: QueuedStation[];
  next: number | null;
}

export const toHold = (v: unknown): Hold => {
  const o = obj(v);
  return { contest: str(o.contest), region: str(o.region), seq: num(o.seq), since: str(o.since), operator: str(o.operator), reason: str(o.reason) };
};

export const toKey = (v: unknown): IngestKey => {
  const o = obj(v);
  return {
    id: str(o.id), source: str(o.source), readOnly: o.readOnly === true,
    contests: list(o.contests).map(str), regions: list(o.regions).map(str),
    requireSignature: o.requireSignature === true, revoked: o.revoked === true,
    createdAt: optStr(o.createdAt), createdBy: optStr(o.createdBy), createdReason: optStr(o.createdReason),
    revokedAt: optStr(o.revokedAt), revokedBy: optStr(o.revokedBy), revokedReason: optStr(o.revokedReason),
  };
};

export const toAction = (v: unknown): OperatorAction => {
  const o = obj(v);
  return { id: num(o.id), at: str(o.at), operator: str(o.operator), action: str(o.action), target: str(o.target), reason: str(o.reason) };
};

export function toStatus(v: unknown): NightStatus {
  const o = obj(v);
  const lag = obj(o.formToScreen);
  const chain = o.chain === null || o.chain === undefined ? null : obj(o.chain);
  return {
    node: str(o.node), epoch: str(o.epoch), lastSeq: num(o.lastSeq), checkpoint: num(o.checkpoint),
    aggregationLag: num(o.aggregationLag), formsPerSecond: num(o.formsPerSecond),
    formToScreen: { runs: num(lag.runs), p50: optNum(lag.p50), p95: optNum(lag.p95), max: optNum(lag.max) },
    nodes: list(o.nodes).map((n) => {
      const no = obj(n);
      return { node: str(no.node), viewers: num(no.viewers), checkpoint: num(no.checkpoint), at: str(no.at) };
    }),
    chain: chain ? { checked: num(chain.checked), firstBreak: optNum(chain.firstBreak), at: str(chain.at) } : null,
  };
}

export function toQueuePage(v: unknown): QueuePage {
  const o = obj(v);
  return {
    total: num(o.total),
    next: optNum(o.next),
    items: list(o.items).map((i) => {
      const io = obj(i);
      return {
        contest: str(io.contest), station: str(io.station),
        regions: list(io.regions).map((r) => ({ id: str(obj(r).id), name: str(obj(r).name) })),
        held: io.held, counted: io.counted ?? null,
        rules: list(io.rules).map((r) => ({ code: str(obj(r).code), text: str(obj(r).text) })),
      };
    }),
  };
}

const report = (v: unknown): RebuildReport => {
  const o = obj(v);
  return { epoch: str(o.epoch), version: num(o.version), elapsedMs: num(o.elapsedMs) };
};

/**
 * The console's client of the operator API. `secret` is only ever put in the Authorization
 * header; errors never repeat it.
 */
export class OperatorClient {
  constructor(private readonly secret: string, private readonly base = '', private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {}

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${this.secret}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, {
        method, headers, cache: 'no-store', ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ApiError(0, err instanceof Error ? err.message : String(err));
    }
    const text = await res.text();
    let json: unknown = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (!res.ok) throw toApiError(res.status, json ?? { detail: text.slice(0, 200) });
    return json;
  }

  /** Who the secret belongs to: a 401 ApiError when it is nobody's. */
  async me(): Promise<string> {
    return str(obj(await this.request('GET', '/api/v1/operator/me')).id);
  }

  async status(): Promise<NightStatus> { return toStatus(await this.request('GET', '/api/v1/operator/status')); }

  async actions(after: number, limit = 1000): Promise<OperatorAction[]> {
    return list(await this.request('GET', `/api/v1/operator/actions?after=${after}&limit=${limit}`)).map(toAction);
  }

  async queue(after: number, limit: number, contest: string | null = null): Promise<QueuePage> {
    const q = new URLSearchParams({ after: String(after), limit: String(limit) });
    if (contest) q.set('contest', contest);
    return toQueuePage(await this.request('GET', `/api/v1/operator/queue?${q.toString()}`));
  }

  decide(station: string, contest: string, revision: number, decision: 'accept' | 'reject', reason: string): Promise<unknown> {
    return this.request('POST', `/api/v1/stations/${encodeURIComponent(station)}/forms/${encodeURIComponent(contest)}/${revision}/${decision}`, { reason });
  }

  async holds(): Promise<Hold[]> { return list(await this.request('GET', '/api/v1/operator/holds')).map(toHold); }

  async hold(contest: string, region: string, reason: string): Promise<Hold> {
    return toHold(await this.request('POST', '/api/v1/operator/holds', { contest, region, reason }));
  }

  async release(contest: string, region: string, reason: string): Promise<Hold> {
    return toHold(await this.request('POST', '/api/v1/operator/holds/release', { contest, region, reason }));
  }

  async rebuild(reason: string): Promise<RebuildReport> { return report(await this.request('POST', '/api/v1/operator/rebuild', { reason })); }

  async reconcile(): Promise<ReconcileReport> {
    const v = await this.request('POST', '/api/v1/operator/reconcile');
    const o = obj(v);
    return {
      ...report(v), groupsCompared: num(o.groupsCompared),
      drift: list(o.drift).map((d) => {
        const dobj = obj(d);
        return { source: str(dobj.source), contest: str(dobj.contest), region: str(dobj.region), field: str(dobj.field), expected: num(dobj.expected), actual: num(dobj.actual) };
      }),
    };
  }

  async aggregate(): Promise<AggregateReport> {
    const o = obj(await this.request('POST', '/api/v1/operator/aggregate'));
    return { runs: num(o.runs), revisions: num(o.revisions), groups: num(o.groups) };
  }

  async resetRehearsal(reason: string): Promise<RebuildReport> {
    return report(await this.request('POST', '/api/v1/operator/rehearsal/reset', { reason }));
  }

  async keys(): Promise<IngestKey[]> { return list(await this.request('GET', '/api/v1/operator/keys')).map(toKey); }

  /** Creates a key; the answer's `secret` is shown once and kept nowhere. */
  async createKey(body: { id: string; contests: string[]; regions: string[]; requireSignature: boolean; reason: string }): Promise<{ secret: string; key: IngestKey }> {
    const o = obj(await this.request('POST', '/api/v1/operator/keys', body));
    return { secret: str(o.secret), key: toKey(o.key) };
  }

  async changeKey(id: string, body: { contests: string[]; regions: string[]; requireSignature: boolean; reason: string }): Promise<IngestKey> {
    return toKey(await this.request('PATCH', `/api/v1/operator/keys/${encodeURIComponent(id)}`, body));
  }

  async revokeKey(id: string, reason: string): Promise<IngestKey> {
    return toKey(await this.request('POST', `/api/v1/operator/keys/${encodeURIComponent(id)}/revoke`, { reason }));
  }
}
