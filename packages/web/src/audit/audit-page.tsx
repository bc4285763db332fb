/** The audit trail: entries newest first, the chain's verification, and the CSV export. */
export function AuditPage() {
  return (
    <section className="panel">
      <h1>Audit trail</h1>
    </section>
  );
}
