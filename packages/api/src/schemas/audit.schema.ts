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
    hash: Type.String({ description: 'SHA-256 over prevHash, a newline and the canonical JSON of the entry.' }),
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

export const ChainBreak = Type.Object({
  seq: Type.Integer(),
  reason: Type.Enum(['sequence_gap', 'link_mismatch', 'hash_mismatch']),
  expectedSeq: Type.Optional(Type.Integer()),
  expectedPrevHash: Type.Optional(Type.String()),
  expectedHash: Type.Optional(Type.String()),
});

export const VerifyResult = Type.Object({
  valid: Type.Boolean(),
  checked: Type.Integer(),
  head: Nullable(Type.Object({ seq: Type.Integer(), hash: Type.String() })),
  firstBreak: Nullable(ChainBreak),
});

export const AuditExportQuery = Type.Object(
  { format: Type.Optional(Type.Enum(['json', 'csv'], { default: 'json' })) },
  { additionalProperties: false },
);
