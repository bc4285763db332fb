import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  FINAL_STATUSES,
  isRecordStatus,
  isTerminalStatus,
  parseRecordStatus,
  PRODUCTION_STATUSES,
  RECORD_STATUS_TABLE,
  RECORD_STATUSES,
  RecordStatus,
  statusLabel,
  WITHDRAWN_STATUSES,
  type RecordStatus as Status,
} from '@serialtrace/core';
import { thrown } from './helpers.js';

/**
 * The whole matrix, written out by hand: rows are `from`, columns `to` in the order
 * generated, printed, in_progress, completed, voided, scrapped.
 */
const MATRIX: Record<Status, string> = {
  generated: '.yyyyy',
  printed: '..yyyy',
  in_progress: '...yyy',
  completed: '......',
  voided: '......',
  scrapped: '......',
};

describe('record statuses', () => {
  it('are generated, printed, in_progress, completed, voided, scrapped, with named constants', () => {
    expect([...RECORD_STATUSES]).toEqual(['generated', 'printed', 'in_progress', 'completed', 'voided', 'scrapped']);
    expect([...PRODUCTION_STATUSES]).toEqual(['generated', 'printed', 'in_progress', 'completed']);
    expect([...WITHDRAWN_STATUSES]).toEqual(['voided', 'scrapped']);
    expect([...FINAL_STATUSES]).toEqual(['completed', 'voided', 'scrapped']);
    expect(RecordStatus).toEqual({
      Generated: 'generated',
      Printed: 'printed',
      InProgress: 'in_progress',
      Completed: 'completed',
      Voided: 'voided',
      Scrapped: 'scrapped',
    });
  });

  it('parseRecordStatus accepts the six and refuses anything else with STATUS_UNKNOWN', () => {
    for (const status of RECORD_STATUSES) {
      expect(parseRecordStatus(status)).toBe(status);
      expect(isRecordStatus(status)).toBe(true);
    }
    for (const bad of ['Generated', 'in-progress', 'done', '', 'shipped']) {
      expect(isRecordStatus(bad)).toBe(false);
      const error = thrown(() => parseRecordStatus(bad));
      expect(error.code).toBe('STATUS_UNKNOWN');
      expect(error.details).toMatchObject({ field: 'status', value: bad, allowed: [...RECORD_STATUSES] });
    }
    expect(thrown(() => parseRecordStatus('done')).message).toBe(
      'Unknown status "done"; expected one of generated, printed, in_progress, completed, voided, scrapped',
    );
    expect(thrown(() => parseRecordStatus('x', 'to')).details['field']).toBe('to');
  });
});

describe('transitions', () => {
  const pairs = RECORD_STATUSES.flatMap((from) => RECORD_STATUSES.map((to, j) => [from, to, MATRIX[from][j] === 'y'] as const));

  it.each(pairs)('%s -> %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) {
      expect(() => assertTransition(from, to)).not.toThrow();
    } else {
      const error = thrown(() => assertTransition(from, to));
      expect(error.code).toBe('STATUS_TRANSITION_INVALID');
      expect(error.details).toMatchObject({ field: 'status', from, to });
    }
  });

  it('the matrix follows the rules: forward with skips, voided/scrapped from any open status, nothing else', () => {
    for (const [from, to, allowed] of pairs) {
      const open = !FINAL_STATUSES.includes(from);
      const line = PRODUCTION_STATUSES as readonly string[];
      const forward = line.indexOf(to) > line.indexOf(from);
      const withdrawn = (WITHDRAWN_STATUSES as readonly string[]).includes(to);
      expect(allowed, `${from} -> ${to}`).toBe(open && (withdrawn || forward));
    }
  });

  it('allows exactly the moves of the ordered-list rule, for every pair', () => {
    // The rule as it first stood: the line's order was the rule. Kept as an independent oracle, so
    // that declaring the moves as data can never widen or narrow what a record may do.
    const line: readonly string[] = ['generated', 'printed', 'in_progress', 'completed'];
    const orderedRule = (from: Status, to: Status): boolean =>
      !['completed', 'voided', 'scrapped'].includes(from) && (['voided', 'scrapped'].includes(to) || line.indexOf(to) > line.indexOf(from));
    const all = ['generated', 'printed', 'in_progress', 'completed', 'voided', 'scrapped'] as const;
    let allowed = 0;
    for (const from of all) {
      for (const to of all) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(orderedRule(from, to));
        if (orderedRule(from, to)) allowed += 1;
      }
    }
    expect(allowed).toBe(12);
  });

  it('explains why a move is refused', () => {
    expect(thrown(() => assertTransition('completed', 'voided')).message).toBe('A record cannot move from completed to voided: completed is final');
    expect(thrown(() => assertTransition('voided', 'generated')).details['why']).toBe('voided is final');
    expect(thrown(() => assertTransition('printed', 'printed')).details['why']).toBe('the record is already printed');
    expect(thrown(() => assertTransition('in_progress', 'printed')).details['why']).toBe(
      'records only move forward (generated, printed, in_progress, completed) or to voided or scrapped',
    );
  });
});

describe('the status table', () => {
  it('declares every status once, in lifecycle order, under its own code', () => {
    expect(Object.keys(RECORD_STATUS_TABLE)).toEqual([...RECORD_STATUSES]);
    for (const status of RECORD_STATUSES) expect(RECORD_STATUS_TABLE[status].code).toBe(status);
  });

  it('groups the production line and the ways off it as PRODUCTION_STATUSES and WITHDRAWN_STATUSES', () => {
    expect(RECORD_STATUSES.filter((s) => RECORD_STATUS_TABLE[s].group === 'production')).toEqual([...PRODUCTION_STATUSES]);
    expect(RECORD_STATUSES.filter((s) => RECORD_STATUS_TABLE[s].group === 'withdrawn')).toEqual([...WITHDRAWN_STATUSES]);
  });

  it('lists next statuses in lifecycle order, never the status itself, and none after a terminal one', () => {
    for (const status of RECORD_STATUSES) {
      const { next, terminal } = RECORD_STATUS_TABLE[status];
      expect(next, status).toEqual(RECORD_STATUSES.filter((to) => next.includes(to)));
      expect(next, status).not.toContain(status);
      expect(terminal, status).toBe(next.length === 0);
      expect(isTerminalStatus(status), status).toBe(terminal);
      expect(FINAL_STATUSES.includes(status), status).toBe(terminal);
    }
  });

  it('says each status in words, and shows an unknown one as it is', () => {
    expect(RECORD_STATUSES.map(statusLabel)).toEqual(['Generated', 'Printed', 'In progress', 'Completed', 'Voided', 'Scrapped']);
    expect(statusLabel('shipped')).toBe('shipped');
    expect(statusLabel('toString')).toBe('toString');
  });
});
