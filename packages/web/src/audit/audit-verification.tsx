import type { RouteResult } from '@serialtrace/client';
import { describeAuditProblem } from '@serialtrace/core';
import { formatCount, formatInstant } from '../ui/text';

export type VerifyResult = RouteResult<'verifyAudit'>;
type ChainBreak = NonNullable<VerifyResult['firstBreak']>;

export type Verification =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running' }
  | { readonly kind: 'done'; readonly result: VerifyResult; readonly at: string }
  | { readonly kind: 'failed' };

/** Why the trail does not verify, in core's words (the CLI says the same). */
export const describeBreak = (brk: ChainBreak): string => describeAuditProblem(brk);

/** Problems listed under the headline; the rest are counted. */
const LISTED_PROBLEMS = 20;

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
        <p>
          {formatCount(result.recordsChecked)} {result.recordsChecked === 1 ? 'record' : 'records'} and {formatCount(result.historyChecked)} status{' '}
          {result.historyChecked === 1 ? 'change' : 'changes'} match the entries that made them.
        </p>
        {when}
      </div>
    );
  }
  const brk = result.firstBreak;
  const more = result.problems.slice(1, LISTED_PROBLEMS);
  const unlisted = result.problemCount - 1 - more.length;
  return (
    <div className="notice notice-error">
      <p className="notice-title">
        {brk === null ? 'The audit trail does not verify.' : `The audit trail does not verify: ${formatCount(result.problemCount)} ${result.problemCount === 1 ? 'problem' : 'problems'}, the first at entry #${brk.seq}.`}
      </p>
      {brk !== null && <p>{describeBreak(brk)}</p>}
      {more.length > 0 && (
        <ul className="audit-problems">
          {more.map((p, i) => (
            <li key={i}>{describeBreak(p)}</li>
          ))}
        </ul>
      )}
      {unlisted > 0 && <p>…and {formatCount(unlisted)} more.</p>}
      <p>
        {result.head === null
          ? `No entry of the ${formatCount(result.checked)} checked verified from the start.`
          : `The chain holds from its start up to entry #${result.head.seq} (hash ${result.head.hash}); ${formatCount(result.checked)} ${result.checked === 1 ? 'entry was' : 'entries were'} checked.`}
      </p>
      {when}
    </div>
  );
}
