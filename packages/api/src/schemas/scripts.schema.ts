import Type from 'typebox';
import { Instant, MULTILINE, Nullable } from './common.schema.js';

export const ScriptNameParams = Type.Object({ name: Type.String() });
export const ScriptRunParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const ScriptSave = Type.Object(
  {
    source: Type.String({ description: 'JavaScript defining main(context); it must compile.', ...MULTILINE }),
    description: Type.Optional(Nullable(Type.String(MULTILINE))),
  },
  { additionalProperties: false },
);

const scriptFields = {
  name: Type.String(),
  description: Type.String(),
  version: Type.Integer({ minimum: 1, description: 'Saves so far; each save is a version.' }),
  createdAt: Instant,
  createdBy: Type.String(),
  updatedAt: Instant,
  updatedBy: Type.String(),
};

export const ScriptView = Type.Object({ ...scriptFields, source: Type.String() }, { $id: 'Script' });
export const ScriptList = Type.Object({ scripts: Type.Array(Type.Object(scriptFields)) });
export const ScriptVersions = Type.Object({
  versions: Type.Array(
    Type.Object({
      version: Type.Integer(),
      source: Type.String(),
      description: Type.String(),
      changedAt: Instant,
      changedBy: Type.String(),
      reason: Nullable(Type.String()),
    }),
  ),
});

export const ScriptLog = Type.Object({
  level: Type.Enum(['log', 'info', 'warn', 'error']),
  message: Type.String(),
  at: Type.Number({ description: 'Milliseconds since the run started.' }),
});

export const ScriptRunRequest = Type.Object(
  { context: Type.Optional(Type.Unknown({ description: 'Any JSON value, passed to main(context); {} when omitted.', ...MULTILINE })) },
  { additionalProperties: false },
);

export const ScriptRunResult = Type.Object({
  result: Type.Unknown({ description: 'What main returned.' }),
  logs: Type.Array(ScriptLog, { description: 'What the script wrote with console.log, info, warn and error.' }),
});

export const ScriptRunView = Type.Object({
  id: Type.Integer(),
  script: Type.String(),
  version: Type.Integer(),
  actor: Type.String(),
  station: Nullable(Type.String()),
  context: Type.Unknown(),
  status: Type.Enum(['succeeded', 'failed']),
  result: Type.Unknown(),
  error: Type.Unknown({ description: '{code, message, details} of a failed run; null otherwise.' }),
  logs: Type.Array(ScriptLog),
  apiCalls: Type.Integer(),
  durationMs: Type.Integer(),
  startedAt: Instant,
});

export const ScriptRunPage = Type.Object({
  runs: Type.Array(ScriptRunView),
  nextCursor: Nullable(Type.String()),
});

export const ScriptRunQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ description: 'Page size, 1 to 500 (default 50).' })),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
