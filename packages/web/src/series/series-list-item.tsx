import { PERMANENT_PERIOD } from '@serialtrace/core';
import { formatCount } from '../ui/text';
import { CapacityBar } from './capacity-bar';
import type { SeriesView } from './series-form-values';
import { allocationLabel, baseShortLabel, guessWords, resetLabel } from './series-words';

/** One series in the panel: its name selects it; its settings and capacity at a glance. */
export function SeriesListItem(props: {
  readonly series: SeriesView;
  readonly selected: boolean;
  readonly onSelect: () => void;
  readonly onEdit?: (() => void) | undefined;
  readonly onGenerate?: (() => void) | undefined;
}) {
  const { series } = props;
  const period = series.current.period === PERMANENT_PERIOD ? null : series.current.period;
  return (
    <li className={props.selected ? 'series-item series-item-selected' : 'series-item'}>
      <div className="series-item-head">
        <button type="button" className="series-select" aria-pressed={props.selected} onClick={props.onSelect}>
          {series.name}
        </button>
        {series.global && <span className="badge" title="Serials unique across the whole company">Global</span>}
        {series.gtin !== null && (
          <span className="badge badge-gs1" title="Its serials are GS1 serial numbers (AI 21) of this GTIN">
            GTIN <span className="mono">{series.gtin}</span>
          </span>
        )}
        {series.sscc && (
          <span className="badge badge-gs1" title="Issues SSCCs: extension digit, company prefix, serial reference and check digit">
            SSCC <span className="mono">{`${series.extensionDigit ?? ''}${series.companyPrefix ?? ''}`}</span>
          </span>
        )}
        {series.randomized && (
          <span className="badge" title="Serials are a keyed pseudorandom permutation of the sequence (EU FMD)">
            Randomised
          </span>
        )}
        {(props.onEdit !== undefined || props.onGenerate !== undefined) && (
          <span className="series-item-actions">
            {props.onGenerate !== undefined && (
              <button type="button" className="small" aria-label={`Generate serials for ${series.name}`} onClick={props.onGenerate}>
                Generate
              </button>
            )}
            {props.onEdit !== undefined && (
              <button type="button" className="small secondary" aria-label={`Edit ${series.name}`} onClick={props.onEdit}>
                Edit
              </button>
            )}
          </span>
        )}
      </div>
      <code className="series-format">{series.format}</code>
      {series.description !== '' && <p className="series-description">{series.description}</p>}
      <dl className="series-facts">
        <div>
          <dt>Base</dt>
          <dd>{baseShortLabel(series.base)}</dd>
        </div>
        <div>
          <dt>Resets</dt>
          <dd>{resetLabel(series.reset)}</dd>
        </div>
        <div>
          <dt>Current</dt>
          <dd>
            {formatCount(series.current.value)}
            {period !== null && <span className="muted"> in {period}</span>}
          </dd>
        </div>
        <div>
          <dt>Allocation</dt>
          <dd>{series.allocation === 'leased' ? `${allocationLabel(series.allocation)} of ${formatCount(series.leaseSize)}` : allocationLabel(series.allocation)}</dd>
        </div>
      </dl>
      <CapacityBar series={series} />
      {series.guess !== null && <GuessChance guess={series.guess} />}
    </li>
  );
}

/** How likely a guessed value is a real serial of the current period, against the EU FMD bound. */
function GuessChance({ guess }: { readonly guess: NonNullable<SeriesView['guess']> }) {
  return (
    <p
      className="series-guess"
      title={`The chance that a value guessed from the ${formatCount(guess.space)} of a period is a serial issued in it; at most ${formatCount(guess.limit)} may be issued.`}
    >
      {guessWords(guess)}
    </p>
  );
}
