import { describe, expect, it } from 'vitest';
import { ApiError, toApiError, toQueuePage, toStatus } from './operator-api';
import {
  checkKeyId, checkReason, formatElapsed, formatSeconds, pageAfterDecision, pageLabel, parseIds, placeErrors, queueItemView,
  regionPath, scopeText, statusView,
} from './operator-model';
import { actionName } from './operator-words';

describe('form checks mirror the server', () => {
  it('needs a reason that is not blank and at most 500 characters', () => {
    expect(checkReason('', 'en')).toMatch(/required/);
    expect(checkReason('   \t', 'id')).toMatch(/wajib/);
    expect(checkReason('x'.repeat(501), 'en')).toBe('A reason has at most 500 characters.');
    expect(checkReason(`  ${'x'.repeat(500)}  `, 'en')).toBeNull();
    expect(checkReason('photo shows 400 voters', 'en')).toBeNull();
  });

  it('takes key ids of 1 to 64 letters, digits, dash, underscore or dot', () => {
    expect(checkKeyId('aceh-app_2.v1', 'en')).toBeNull();
    expect(checkKeyId('', 'en')).not.toBeNull();
    expect(checkKeyId('with space', 'en')).not.toBeNull();
    expect(checkKeyId('a'.repeat(65), 'en')).not.toBeNull();
    expect(checkKeyId('tps/12', 'id')).toMatch(/ID kunci/);
  });

  it('reads typed id lists, each once', () => {
    expect(parseIds(' 1, 26141  6728;1\n')).toEqual(['1', '26141', '6728']);
    expect(parseIds('  ')).toEqual([]);
  });
});

describe("the server's problem+json, placed by field", () => {
  const problem = toApiError(422, {
    type: 'https://broadcast.example/problems/invalid-form', title: 'The form is not valid; nothing was stored.', status: 422,
    errors: { reason: ['is required: say why'], 'regions[1]': ['is not a region id of this election'], 'contests[0]': ['is not a contest'], body: ['odd'] },
  });

  it('reads type, detail and errors', () => {
    expect(problem).toBeInstanceOf(ApiError);
    expect(problem.type).toBe('invalid-form');
    expect(problem.detail).toBe('The form is not valid; nothing was stored.');
    expect(problem.errors['regions[1]']).toEqual(['is not a region id of this election']);
  });

  it('puts each error under its field, naming the item of a list, and the rest above the form', () => {
    const placed = placeErrors(problem, ['reason', 'regions', 'contests']);
    expect(placed.byField).toEqual({
      reason: ['is required: say why'],
      regions: ['regions[1]: is not a region id of this election'],
      contests: ['contests[0]: is not a contest'],
    });
    expect(placed.other).toEqual(['body: odd']);
  });

  it('shows the detail of a problem without fields', () => {
    const conflict = toApiError(409, { title: 'Conflict', detail: 'ppwp in region 0 is already held; release it first.', status: 409 });
    expect(placeErrors(conflict, ['reason'])).toEqual({ byField: {}, other: ['ppwp in region 0 is already held; release it first. (HTTP 409)'] });
    expect(placeErrors(new ApiError(0, 'Failed to fetch'), []).other).toEqual(['Failed to fetch']);
    expect(toApiError(502, null).detail).toBe('HTTP 502');
  });
});

describe('formatting', () => {
  it('says how long something took', () => {
    expect(formatElapsed(850, 'en')).toBe('850 ms');
    expect(formatElapsed(3400, 'id')).toBe('3,4 s');
    expect(formatElapsed(3400, 'en')).toBe('3.4 s');
    expect(formatElapsed(125_000, 'en')).toBe('2 min 05 s');
  });

  it('writes lags in seconds, a dash when there are none', () => {
    expect(formatSeconds(0.254, 'id')).toBe('0,25 s');
    expect(formatSeconds(null, 'en')).toBe('–');
  });

  it('writes a region path from the province down, in the screens\' spelling', () => {
    expect(regionPath([{ name: 'ACEH' }, { name: 'ACEH BARAT' }, { name: 'SAMATIGA' }, { name: 'LHOK BUBON' }])).toBe('Aceh › Aceh Barat › Samatiga › Lhok Bubon');
  });

  it('names actions and scopes', () => {
    expect(actionName('ingest-key-revoke', 'en')).toBe('Key revoked');
    expect(actionName('hold', 'id')).toBe('Tahan');
    expect(actionName('something-new', 'en')).toBe('something-new');
    expect(scopeText([], ['1', '26141'], 'en')).toEqual({ contests: 'all', regions: '1, 26141' });
  });
});

describe('the review queue', () => {
  const rev = (revision: number, status: string, votes: Record<string, number>, valid: number, problems: string[] = []) => ({
    revision, seq: revision * 7, status, problems, votes, valid, invalid: 2, total: valid + 2,
    receivedAt: '2019-04-17T10:00:00Z', accepts: null, submitter: 'kpu-app', reason: null, hash: null,
  });
  const page = toQueuePage({
    total: 45, next: 20,
    items: [{
      contest: 'ppwp', station: '25830.2',
      regions: [{ id: '1', name: 'ACEH' }, { id: '25830', name: 'LHOK BUBON' }],
      held: rev(2, 'quarantined', { '01': 115, '02': 32 }, 247, ['R1']),
      counted: rev(1, 'counted', { '01': 115, '02': 132 }, 247),
      rules: [{ code: 'R1', text: "the choices' votes do not add up to the valid votes" }],
    }, {
      contest: 'ppwp', station: '25830.3', regions: [], held: rev(1, 'quarantined', { '01': 900, '02': 50 }, 950, ['R3']), counted: null,
      rules: [{ code: 'R3', text: "more ballots than the station's registered voters allow" }],
    }],
  });
  const names = (id: string) => ({ '01': '01 Jokowi – Ma\'ruf', '02': '02 Prabowo – Sandi' }[id] ?? id);

  it('puts the held numbers beside the counted ones and says what accepting would change', () => {
    const view = queueItemView(page.items[0]!, 'en', names);
    expect(view.path).toBe('Aceh › Lhok Bubon');
    expect(view.counted?.revision).toBe(1);
    expect(view.held.revision).toBe(2);
    expect(view.rows.map((r) => [r.label, r.counted, r.held, r.change, r.differs])).toEqual([
      ["01 Jokowi – Ma'ruf", '115', '115', '', false],
      ['02 Prabowo – Sandi', '132', '32', '−100', true],
      ['Valid votes', '247', '247', '', false],
      ['Invalid', '2', '2', '', false],
      ['Total ballots', '249', '249', '', false],
    ]);
    expect(view.rules).toEqual([{ code: 'R1', text: "the choices' votes do not add up to the valid votes", detail: 'votes add up to 147; valid votes 247' }]);
  });

  it('gives the rule in Indonesian, and a station with nothing counted its whole numbers as the change', () => {
    const view = queueItemView(page.items[1]!, 'id', names);
    expect(view.counted).toBeNull();
    expect(view.rules[0]!.text).toMatch(/DPT/);
    expect(view.rows[0]).toMatchObject({ counted: '–', held: '900', change: '+900', differs: true });
  });

  it('labels pages and stays on a page after a decision unless it emptied', () => {
    expect(pageLabel(20, 20, 45, 'en')).toBe('21–40 of 45 stations awaiting a decision');
    expect(pageLabel(0, 0, 0, 'en')).toBe('No station awaits a decision.');
    expect(pageAfterDecision(20, 20, 44)).toBe(20);
    expect(pageAfterDecision(40, 20, 40)).toBe(20);
    expect(pageAfterDecision(0, 20, 0)).toBe(0);
  });
});

describe('the live panel', () => {
  const status = toStatus({
    node: 'a', epoch: 'k3j9', lastSeq: 1200, checkpoint: 1190, aggregationLag: 10, formsPerSecond: 41.26,
    formToScreen: { runs: 12, p50: 0.21, p95: 0.64, max: 1.5 },
    nodes: [{ node: 'a', viewers: 1200, checkpoint: 1190, at: '' }, { node: 'b', viewers: 34, checkpoint: 1100, at: '' }],
    chain: { checked: 1190, firstBreak: null, at: '' },
  });

  it('sums viewers over nodes and says how far each is behind', () => {
    const v = statusView(status, 'en');
    expect(v.formsPerSecond).toBe('41.3');
    expect(v.aggregationLag).toBe('10 revisions');
    expect(v.lag).toEqual({ p50: '0.21 s', p95: '0.64 s', max: '1.50 s', runs: 12 });
    expect(v.viewers).toBe(1234);
    expect(v.nodes.map((n) => [n.node, n.viewers, n.behind])).toEqual([['a', '1,200', 10], ['b', '34', 100]]);
    expect(v.chain).toEqual({ state: 'ok', text: 'intact (1190 revisions checked)' });
  });

  it('shows a broken chain with its seq, and one not checked yet', () => {
    expect(statusView({ ...status, chain: { checked: 900, firstBreak: 412, at: '' } }, 'id').chain).toEqual({ state: 'broken', text: 'RUSAK pada seq 412' });
    expect(statusView(toStatus({ chain: null }), 'en').chain.state).toBe('unchecked');
    expect(statusView(toStatus({}), 'en').lag.p50).toBe('–');
  });
});
