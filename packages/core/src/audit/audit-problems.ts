/**
 * What audit verification can find, and how each is said to someone who must act on it. The
 * service reports them, the API documents them, and the CLI and the web UI describe them in these
 * words.
 */
export const AUDIT_PROBLEM_REASONS = [
  'sequence_gap',
  'link_mismatch',
  'hash_mismatch',
  'head_mismatch',
  'head_missing',
  'checkpoint_mismatch',
  'record_mismatch',
  'history_mismatch',
] as const;

export type AuditProblemReason = (typeof AUDIT_PROBLEM_REASONS)[number];

/** A problem as reported: the entry concerned, the reason, and what the reason carries. */
export interface AuditProblemFacts {
  readonly seq: number;
  readonly reason: AuditProblemReason;
  readonly expectedSeq?: number | undefined;
  readonly expectedPrevHash?: string | undefined;
  readonly expectedHash?: string | undefined;
  readonly serial?: string | undefined;
  readonly field?: string | undefined;
  readonly expected?: string | undefined;
  readonly actual?: string | undefined;
}

/**
 * One problem in words.
 *
 * @example describeAuditProblem({ seq: 9, reason: 'hash_mismatch' }) // 'Entry #9 no longer matches its own hash, so it was changed after it was written.'
 */
export function describeAuditProblem(p: AuditProblemFacts): string {
  switch (p.reason) {
    case 'sequence_gap':
      return `Entry #${p.seq} follows a gap in the numbering${p.expectedSeq === undefined ? '' : `: entry #${p.expectedSeq} was expected there`}, so an entry was removed or the chain was reordered.`;
    case 'link_mismatch':
      return `Entry #${p.seq} does not point at the entry before it: its previous-hash differs from that entry's hash${p.expectedPrevHash === undefined ? '' : ` (${p.expectedPrevHash})`}, so an entry before it was changed, removed or inserted.`;
    case 'hash_mismatch':
      return `Entry #${p.seq} no longer matches its own hash${p.expectedHash === undefined ? '' : ` (its content hashes to ${p.expectedHash})`}, so it was changed after it was written.`;
    case 'head_mismatch':
      return p.expectedSeq !== undefined && p.expectedSeq > p.seq
        ? `The chain ends at entry #${p.seq}, but the last entry written was #${p.expectedSeq}: entries were cut off its end.`
        : `The chain ends at entry #${p.seq}, which is not the last entry written${p.expectedSeq === undefined ? '' : ` (#${p.expectedSeq})`}: entries were added or changed behind serialtrace's back.`;
    case 'head_missing':
      return `The chain has entries up to #${p.seq}, but the company no longer records where it ends: that record was removed.`;
    case 'checkpoint_mismatch':
      return `Entry #${p.seq} no longer has the hash the signed checkpoint holds for it, or no longer exists: the chain was rewritten or cut since the checkpoint.`;
    case 'record_mismatch':
      return `Record ${p.serial ?? '?'} differs from the entry #${p.seq} that issued it: its ${p.field ?? 'data'} is ${p.actual ?? '?'} where the entry says ${p.expected ?? '?'}.`;
    case 'history_mismatch':
      return `A status change of record ${p.serial ?? '?'} differs from its entry #${p.seq}: its ${p.field ?? 'data'} is ${p.actual ?? '?'} where the entry says ${p.expected ?? '?'}.`;
  }
}
