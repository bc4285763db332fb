import type { RouteResult } from '@serialtrace/client';
import { formatCount, formatInstant } from '../ui/text';

export type VerifyResult = RouteResult<'verifyAudit'>;
type ChainBreak = NonNullable<VerifyResult['firstBreak']>;

export type Verification =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running' }
  | { readonly kind: 'done'; readonly result: VerifyResult; readonly at: string }
  | { readonly kind: 'failed' };

/** Why a link of the chain does not hold, for someone who must act on it. */
export function describeBreak(brk: ChainBreak): string {
  switch (brk.reason) {
    case 'sequence_gap':
      return `Entry #${brk.seq} follows a gap in the numbering${brk.expectedSeq === undefined ? '' : `: entry #${brk.expectedSeq} was expected there`}, so an entry was removed or the chain was reordered.`;
    case 'link_mismatch':
      return `Entry #${brk.seq} does not point at the entry before it: its previous-hash differs from that entry's hash${brk.expectedPrevHash === undefined ? '' : ` (${brk.expectedPrevHash})`}, so an entry before it was changed, removed or inserted.`;
    case 'hash_mismatch':
      return `Entry #${brk.seq} no longer matches its own hash${brk.expectedHash === undefined ? '' : ` (its content hashes to ${brk.expectedHash})`}, so it was changed after it was written.`;
  }
}

/**
 * The outcome of the last verification, in words, inside a live region that is always in the
 * document (so screen readers announce the result when it arrives).
 */
export function AuditVerification(props: { readonly verification: Verification }) {
  const { verification } = props;
  return (
    <div role="status" aria-live="polite" className="audit-verification">
      {verification.kind === 'running' && <p className="notice">Verifying the audit chain…</p>}
      {verification.kind === 'done' && <VerificationResult result={verification.result} at={verification.at} />}
    </div>
  );
}

function VerificationResult({ result, at }: { readonly result: VerifyResult; readonly at: string }) {
  const when = (
    <p className="audit-verified-at">
      Verified at <time dateTime={at}>{formatInstant(at)}</time>.
    </p>
  );
  if (result.valid) {
    if (result.checked === 0 || result.head === null) {
      return (
        <div className="notice notice-ok">
          <p className="notice-title">The audit chain is empty: there is nothing to verify yet.</p>
          {when}
        </div>
      );
    }
    return (
      <div className="notice notice-ok">
        <p className="notice-title">
          The audit chain is intact: all {formatCount(result.checked)} {result.checked === 1 ? 'entry' : 'entries'} verified.
        </p>
        <p>
          The newest is entry #{result.head.seq}, with hash <code className="audit-hash-full">{result.head.hash}</code>. Quote it to prove later that nothing up to
          here has changed.
        </p>
        {when}
      </div>
    );
  }
  const brk = result.firstBreak;
  return (
    <div className="notice notice-error">
      <p className="notice-title">{brk === null ? 'The audit chain is broken.' : `The audit chain is broken at entry #${brk.seq}.`}</p>
      {brk !== null && <p>{describeBreak(brk)}</p>}
      <p>
        {result.head === null
          ? 'No entry before the break verified.'
          : `${formatCount(result.checked)} ${result.checked === 1 ? 'entry' : 'entries'} before it verified, up to entry #${result.head.seq} (hash ${result.head.hash}).`}
      </p>
      {when}
    </div>
  );
}
