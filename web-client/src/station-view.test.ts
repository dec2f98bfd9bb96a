import { describe, expect, it } from 'vitest';
import { changeText, findings, numberRows, ruleWords, stationName, summaryOf, toStationTrail } from './station-view';

const rev = (revision: number, status: string, votes: Record<string, unknown>, valid: number, extra: Record<string, unknown> = {}) => ({
  revision, seq: revision * 10, status, problems: [], votes, valid, invalid: 3, total: valid + 3,
  receivedAt: '2019-04-17T10:00:00Z', accepts: null, submitter: 'kpu-app', reason: null, hash: 'ab'.repeat(32), ...extra,
});

const trail = (revisions: unknown[], extra: Record<string, unknown> = {}) => toStationTrail({
  station: '10229.17', contest: 'ppwp', village: { id: '10229', name: 'KOTA SIANTAR' },
  counted: null, pending: false, revisions, registeredVoters: 248, ballotLimit: 263,
  rules: { R1: "the choices' votes do not add up to the valid votes", R3: 'more ballots than the DPT allows' }, ...extra,
});

describe('a station held after a counted revision', () => {
  const t = trail([
    rev(1, 'counted', { '01': 10, '02': 149 }, 159),
    // 149 typed as 49: the pairs add up to 59, not 159.
    rev(2, 'quarantined', { '01': 10, '02': 49 }, 159, { problems: ['R1'] }),
  ], { counted: 1, pending: true });

  it('says which revision is counted and why the newer one is held, in words', () => {
    expect(summaryOf(t, 'en')).toBe("Revision 2 is held out of the totals: the choices' votes do not add up to the valid votes. "
      + 'Revision 1 stays counted until a corrected revision arrives or an operator accepts the held one.');
    expect(summaryOf(t, 'id')).toContain('Revisi 2 ditahan di luar total: jumlah suara pilihan tidak sama dengan suara sah. Revisi 1 tetap dihitung');
  });

  it('shows the rule with the revision\'s own numbers', () => {
    expect(findings(t.revisions[1]!, t, 'en')).toEqual([{
      code: 'R1', words: "the choices' votes do not add up to the valid votes", detail: 'votes add up to 59; valid votes 159', holds: true,
    }]);
  });

  it('puts each number beside the one of the revision before', () => {
    const rows = numberRows(t.revisions);
    expect(rows.map((r) => r.key)).toEqual(['01', '02', 'valid', 'invalid', 'total']);
    expect(rows[1]!.cells).toEqual([{ value: 149, change: null }, { value: 49, change: -100 }]);
    expect(rows[2]!.cells[1]).toEqual({ value: 159, change: 0 });
    expect(changeText(-100, 'en')).toBe('−100');
    expect(changeText(1200, 'id')).toBe('+1.200');
    expect(changeText(0, 'en')).toBe('');
  });
});

describe('other states', () => {
  it('a first form held for too many ballots (R3): nothing counted, the limit and the DPT named', () => {
    const t = trail([rev(1, 'quarantined', { '01': 152, '02': 125 }, 277, { problems: ['R3'] })], { pending: true });
    expect(summaryOf(t, 'en')).toBe('Revision 1 is held out of the totals: more ballots than the DPT allows. '
      + 'Nothing from this station is in the totals until a corrected revision arrives or an operator accepts it.');
    expect(findings(t.revisions[0]!, t, 'en')[0]!.detail).toBe('ballots used 280; limit 263 (DPT 248 + allowance)');
  });

  it('an operator\'s rejection names the revision and the reason', () => {
    const t = trail([
      rev(1, 'counted', { '01': 1, '02': 2 }, 3),
      rev(2, 'quarantined', { '01': 1, '02': 2 }, 30, { problems: ['R1'] }),
      rev(3, 'rejected', { '01': 1, '02': 2 }, 30, { problems: ['R1'], accepts: 2, submitter: 'operator:desk', reason: 'photo shows 3' }),
    ], { counted: 1 });
    expect(summaryOf(t, 'en')).toBe('An operator rejected revision 2 (“photo shows 3”); revision 1 stays counted.');
  });

  it('R2 flags a counted form without holding it', () => {
    const t = trail([rev(1, 'counted', { '01': 1, '02': 2 }, 3, { problems: ['R2'], total: 10 })], { counted: 1 });
    expect(summaryOf(t, 'en')).toBe('Revision 1 is counted in the totals.');
    expect(findings(t.revisions[0]!, t, 'en')[0]).toMatchObject({ code: 'R2', holds: false, detail: 'valid votes + invalid = 6; total 10' });
  });

  it('no revision yet', () => {
    expect(summaryOf(trail([]), 'id')).toBe('Belum ada formulir dari TPS ini.');
  });
});

describe('party-list forms', () => {
  it('rows per party (its total), its own votes and each candidate', () => {
    const t = trail([
      rev(1, 'counted', { 1: { party: 12, candidates: { 1: 40, 2: 3 } }, 2: { party: 4, candidates: { 1: 9 } } }, 68),
      rev(2, 'quarantined', { 1: { party: 12, candidates: { 1: 140, 2: 3 } }, 2: { party: 4, candidates: { 1: 9 } } }, 68, { problems: ['P1'] }),
    ]);
    const rows = numberRows(t.revisions);
    expect(rows.map((r) => `${r.kind}:${r.key}`)).toEqual([
      'party:1', 'own:1.party', 'candidate:1.1', 'candidate:1.2', 'party:2', 'own:2.party', 'candidate:2.1', 'sum:valid', 'sum:invalid', 'sum:total']);
    expect(rows[0]!.cells).toEqual([{ value: 55, change: null }, { value: 155, change: 100 }]);
    expect(findings(t.revisions[1]!, t, 'en')[0]!.detail).toBe('votes add up to 168; valid votes 68');
  });
});

describe('names and words', () => {
  it('station names as the screens show them', () => {
    expect(stationName('25830.2')).toBe('TPS 2');
    expect(stationName('-991304.1001')).toBe('TPS 1001');
    expect(stationName('1101012001003')).toBe('TPS 3');
  });

  it('rule words: the server\'s in English, ours in Indonesian, the code when nobody knows it', () => {
    expect(ruleWords('R1', 'en', { R1: 'server words' })).toBe('server words');
    expect(ruleWords('R1', 'en')).toBe("the choices' votes do not add up to the valid votes");
    expect(ruleWords('R9', 'id', { R9: 'new rule' })).toBe('new rule');
    expect(ruleWords('R9', 'en')).toBe('R9');
  });
});
