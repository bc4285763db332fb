import { AUDIT_PROBLEM_REASONS } from '@serialtrace/core';
import Type from 'typebox';
import { Instant, Nullable } from './common.schema.js';

export const AuditEntry = Type.Object(
  {
    seq: Type.Integer({ description: 'Position in the company\'s chain, 1, 2, 3, ...' }),
    companyId: Type.Integer(),
    at: Instant,
    actor: Type.String(),
    station: Nullable(Type.String()),
    line: Nullable(Type.String()),
    plant: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    action: Type.String({ description: 'series.created, serials.generated, record.status_changed, ...' }),
    entityType: Type.String(),
    entityId: Type.String(),
    data: Type.Unknown(),
    prevHash: Type.String(),
    hash: Type.String({
      description:
        'SHA-256 over prevHash, a newline, seq, a newline and digest; for entries without a digest (written before the journal), over prevHash, a newline and the canonical JSON of the entry.',
    }),
    digest: Type.Optional(Type.String({ description: 'SHA-256 of the canonical JSON of the entry\'s content (everything but seq and the hashes), taken when it was written.' })),
  },
  { $id: 'AuditEntry' },
);

export const AuditList = Type.Object({
  entries: Type.Array(AuditEntry),
  nextCursor: Nullable(Type.String({ description: 'Pass back as `cursor` for older entries; null when none are left.' })),
});

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String()),
    action: Type.Optional(Type.String()),
    entityType: Type.Optional(Type.String()),
    entityId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);


export const ChainBreak = Type.Object(
  {
    seq: Type.Integer({ description: 'The entry concerned (for a record or status change: the entry it points at; 0 for none).' }),
    reason: Type.Enum(AUDIT_PROBLEM_REASONS),
    expectedSeq: Type.Optional(Type.Integer()),
    expectedPrevHash: Type.Optional(Type.String()),
    expectedHash: Type.Optional(Type.String()),
    serial: Type.Optional(Type.String({ description: 'The record, for record_mismatch and history_mismatch.' })),
    field: Type.Optional(Type.String({ description: 'What differs from the entry: workOrder, status, to, ...' })),
    expected: Type.Optional(Type.String({ description: 'What the entry says, as JSON text.' })),
    actual: Type.Optional(Type.String({ description: 'What the row holds, as JSON text.' })),
  },
);

const ChainPosition = Type.Object({ seq: Type.Integer(), hash: Type.String() });

export const VerifyResult = Type.Object({
  valid: Type.Boolean({ description: 'True when the chain, its kept head, the checkpoint (if any) and every record hold.' }),
  companyId: Type.Integer(),
  checked: Type.Integer({ description: 'Entries checked: all of them, since verification goes on past a problem.' }),
  head: Nullable(ChainPosition),
  storedHead: Nullable(ChainPosition),
  firstBreak: Nullable(ChainBreak),
  problems: Type.Array(ChainBreak, { description: 'Every problem found, up to 1,000.' }),
  problemCount: Type.Integer(),
  recordsChecked: Type.Integer(),
  historyChecked: Type.Integer(),
  checkpoint: Nullable(Type.Object({ seq: Type.Integer(), hash: Type.String(), holds: Type.Boolean() })),
});

export const VerifyQuery = Type.Object(
  {
    checkpointSeq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Hold the chain against a checkpoint: its entry position...' })),
    checkpointHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: '...and that entry\'s hash.' })),
  },
  { additionalProperties: false },
);

export const AuditExportQuery = Type.Object(
  { format: Type.Optional(Type.Enum(['json', 'csv'], { default: 'json' })) },
  { additionalProperties: false },
);

export const JournalEvent = Type.Object(
  {
    position: Type.Integer({ description: 'Its place in commit order over the journal: positions strictly increase.' }),
    type: Type.String({ description: 'A name from the event catalog (docs/events.md): series.created, serials.generated, ...' }),
    at: Instant,
    entity: Type.Object({ type: Type.String(), id: Type.String() }),
    data: Type.Unknown(),
  },
  { $id: 'JournalEvent' },
);

export const JournalPage = Type.Object({
  events: Type.Array(JournalEvent),
  next: Type.Integer({ description: 'Pass back as `after` for the events that follow: the last position read, or `after` when there was none.' }),
});

export const JournalQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'The events after this position; 0 from the start.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
