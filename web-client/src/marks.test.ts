// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { HELD_LABEL, REHEARSAL_LABEL, heldMark, noticeBand, showHeldMark, showNoticeBand } from './marks';
import type { Election } from './types';

// 2019-04-17 19:00:00 WIB is 12:00 UTC.
const SEVEN_PM = '2019-04-17T12:00:00.0000000+00:00';
const SAME_EVENING = Date.parse('2019-04-17T14:30:00Z');
const NEXT_DAY = Date.parse('2019-04-18T03:00:00Z');

function election(notice: string | null, rehearsal: boolean): Election {
  return { id: 'pilpres2019', name: 'Pilpres 2019', notice, rehearsal, contests: [], parties: [] };
}

describe('the held mark', () => {
  it('says DITAHAN · HELD and since when, in WIB, in the page\'s language', () => {
    expect(heldMark({ seq: 40, since: SEVEN_PM }, 'id', SAME_EVENING)).toMatchObject({ label: 'DITAHAN · HELD', since: 'sejak 19.00 WIB' });
    expect(heldMark({ seq: 40, since: SEVEN_PM }, 'en', SAME_EVENING)).toMatchObject({ label: HELD_LABEL, since: 'since 19:00 WIB' });
    expect(heldMark({ seq: 40, since: SEVEN_PM }, 'en', SAME_EVENING)?.title).toMatch(/counting goes on/i);
  });

  it('gives the date of a hold begun on another day, and no time when it cannot be read', () => {
    expect(heldMark({ seq: 40, since: SEVEN_PM }, 'en', NEXT_DAY)?.since).toBe('since 17 Apr 19:00 WIB');
    expect(heldMark({ seq: 40, since: 'soon' }, 'id')).toMatchObject({ label: HELD_LABEL, since: '' });
  });

  it('is not there when nothing is held', () => {
    expect(heldMark(null, 'id')).toBeNull();
    expect(heldMark(undefined, 'en')).toBeNull();
  });

  it('shows and hides on a screen', () => {
    const el = document.createElement('span');
    showHeldMark(el, heldMark({ seq: 40, since: SEVEN_PM }, 'id', SAME_EVENING));
    expect(el.hidden).toBe(false);
    expect(el.textContent).toBe('DITAHAN · HELDsejak 19.00 WIB');
    expect(el.querySelector('.mark-label')?.textContent).toBe(HELD_LABEL);
    expect(el.getAttribute('aria-label')).toMatch(/^DITAHAN · HELD sejak 19.00 WIB Operator menahan/);
    showHeldMark(el, null);
    expect(el.hidden).toBe(true);
    expect(el.textContent).toBe('');
    expect(el.hasAttribute('aria-label')).toBe(false);
  });
});

describe('the notice band', () => {
  it('is striped and labelled LATIHAN · REHEARSAL on a rehearsal, without saying the mark twice', () => {
    const band = noticeBand(election('REHEARSAL · LATIHAN: not election results / bukan hasil pemilu', true));
    expect(band).toEqual({ rehearsal: true, label: REHEARSAL_LABEL, text: 'not election results / bukan hasil pemilu' });
    const el = document.createElement('p');
    showNoticeBand(el, band);
    expect(el.hidden).toBe(false);
    expect(el.classList.contains('rehearsal')).toBe(true);
    expect(el.querySelector('.mark-label')?.textContent).toBe('LATIHAN · REHEARSAL');
    expect(el.textContent).toBe('LATIHAN · REHEARSALnot election results / bukan hasil pemilu');
  });

  it('marks a rehearsal whatever its notice says, or without one', () => {
    expect(noticeBand(election('SYNTHETIC test data', true))).toEqual({ rehearsal: true, label: REHEARSAL_LABEL, text: 'SYNTHETIC test data' });
    expect(noticeBand(election(null, true))).toEqual({ rehearsal: true, label: REHEARSAL_LABEL, text: '' });
  });

  it('is the plain notice on a live server, and nothing without one', () => {
    expect(noticeBand(election('SYNTHETIC test data', false))).toEqual({ rehearsal: false, label: null, text: '⚠ SYNTHETIC test data' });
    expect(noticeBand(election(null, false))).toBeNull();
    expect(noticeBand(null)).toBeNull();
    const el = document.createElement('p');
    el.className = 'notice rehearsal';
    showNoticeBand(el, noticeBand(election('SYNTHETIC test data', false)));
    expect(el.classList.contains('rehearsal')).toBe(false);
    expect(el.textContent).toBe('⚠ SYNTHETIC test data');
    showNoticeBand(el, null);
    expect(el.hidden).toBe(true);
  });
});
