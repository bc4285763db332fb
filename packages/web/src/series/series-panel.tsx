/** The series panel: every series of the company, with add, edit and generate. */
export function SeriesPanel(props: {
  readonly selected: string | null;
  readonly onSelect: (name: string | null) => void;
  readonly refreshKey: number;
  readonly onRecordsChanged: () => void;
}) {
  return (
    <section className="panel series-panel" aria-labelledby="series-panel-title">
      <h2 id="series-panel-title">Series</h2>
      <p>{props.selected ?? 'All series'}</p>
    </section>
  );
}
