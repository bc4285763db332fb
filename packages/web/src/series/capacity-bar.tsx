import type { CapacityLevel } from '@serialtrace/core';
import { formatCount } from '../ui/text';
import type { SeriesView } from './series-form-values';

const LEVEL_WORDS: Readonly<Record<CapacityLevel, string>> = {
  ok: '',
  warning: 'filling up',
  critical: 'nearly full',
  exhausted: 'full: generation is refused',
};

/** "12% used", never "0% used" for a period that has issued something. */
export function usedPercent(ratio: number, used: string): string {
  const percent = Math.floor(ratio * 100);
  if (percent === 0 && used !== '0') return 'under 1% used';
  return `${percent}% used`;
}

/**
 * How full the current period is, as a meter that turns amber and red as it fills (the API's
 * `level`), with the figures in words beside it.
 */
export function CapacityBar({ series }: { readonly series: SeriesView }) {
  const { capacity } = series;
  if (capacity.perPeriod === null) {
    return (
      <div className="capacity capacity-unbounded">
        <div role="meter" aria-label={`Capacity used by ${series.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={0} aria-valuetext="No fixed limit" className="capacity-track">
          <span className="capacity-fill" style={{ width: '0%' }} />
        </div>
        <span className="capacity-text">No fixed limit · {formatCount(capacity.used)} issued this period</span>
      </div>
    );
  }
  const percent = Math.min(100, capacity.usedRatio * 100);
  const text = usedPercent(capacity.usedRatio, capacity.used);
  const level = LEVEL_WORDS[capacity.level];
  return (
    <div className={`capacity capacity-${capacity.level}`}>
      <div
        role="meter"
        aria-label={`Capacity used by ${series.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(percent)}
        aria-valuetext={level === '' ? text : `${text}, ${level}`}
        className="capacity-track"
      >
        <span className="capacity-fill" style={{ width: `${capacity.used === '0' ? 0 : Math.max(percent, 1)}%` }} />
      </div>
      <span className="capacity-text">
        {text} · {formatCount(capacity.used)} of {formatCount(capacity.perPeriod)}
        {level !== '' && <strong className="capacity-level"> · {level}</strong>}
      </span>
    </div>
  );
}
