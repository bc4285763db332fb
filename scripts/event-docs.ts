import { EVENT_ENTITY_TYPES, EVENT_TYPE_NAMES, EVENT_TYPES, type EventField, type EventShape } from '@serialtrace/core';

/** Table cells hold one line and no unescaped pipe. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The anchor GitHub gives a heading: lower case, punctuation other than - and _ dropped. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

function typeText(field: EventField): string {
  let text: string = field.type;
  if (field.values !== undefined) text = `${field.type}: ${field.values.map((v) => `\`${v}\``).join(', ')}`;
  if (field.type === 'array' && field.items !== undefined) text = `array of ${typeText(field.items)}`;
  return field.nullable === true ? `${text} or null` : text;
}

function fieldRows(shape: EventShape, prefix: string): string[] {
  const rows: string[] = [];
  for (const [name, field] of Object.entries(shape)) {
    const path = `${prefix}${name}`;
    rows.push(`| \`${path}\` | ${cell(typeText(field))} | ${field.optional === true ? 'no' : 'yes'} | ${cell(field.description)} |`);
    if (field.fields !== undefined) rows.push(...fieldRows(field.fields, `${path}.`));
    if (field.items?.fields !== undefined) rows.push(...fieldRows(field.items.fields, `${path}[].`));
  }
  return rows;
}

/**
 * `docs/events.md`, generated from the event catalog. `npm run docs:events` writes it; a test fails
 * when the committed file differs, so the page and the catalog cannot drift.
 */
export function renderEventDocs(): string {
  const summary = EVENT_TYPE_NAMES.map((type) => {
    const spec = EVENT_TYPES[type];
    return `| [\`${type}\`](#${anchor(type)}) | \`${spec.entityType}\` | ${cell(spec.label)} |`;
  });
  const entities = Object.entries(EVENT_ENTITY_TYPES).map(([type, entity]) => `| \`${type}\` | ${cell(entity.label)} | ${cell(entity.description)} |`);
  const sections = EVENT_TYPE_NAMES.flatMap((type) => {
    const spec = EVENT_TYPES[type];
    return [
      `### ${type}`,
      '',
      `**${spec.label}** (entity type \`${spec.entityType}\`). ${spec.description}`,
      '',
      '| Field | Type | Required | Meaning |',
      '| --- | --- | --- | --- |',
      ...fieldRows(spec.data, ''),
      '',
    ];
  });
  return [
    '# Audit events',
    '',
    '<!-- Generated from packages/core/src/journal/event-catalog.ts by `npm run docs:events`; do not edit by hand. -->',
    '',
    'Every change serialtrace makes is written to its company\'s hash-chained audit trail as one entry:',
    'who made it (`actor`, and `station`, `line`, `plant` when given), why (`reason`), when (`at`), what',
    'happened (`action`), to what (`entityType` and `entityId`), and `data`, whose fields depend on the',
    'action. This page lists every action with its data. An entry that is not as declared here is',
    'never written (`EVENT_UNDECLARED` in [errors.md](errors.md)). An action keeps its name and the',
    'meaning of its fields for good, since entries are never rewritten; a later version may add',
    'actions, and optional fields to an action\'s data.',
    '',
    'Filter the trail by action and entity with `GET /api/v1/audit?action=&entityType=&entityId=`',
    '([api.md](api.md)), `serialtrace audit --action A --entity TYPE:ID` ([cli.md](cli.md)), or the',
    'filters of the web UI\'s audit page.',
    '',
    '| Action | About | In words |',
    '| --- | --- | --- |',
    ...summary,
    '',
    '## Entity types',
    '',
    '| Entity type | In words | `entityId` |',
    '| --- | --- | --- |',
    ...entities,
    '',
    '## Actions and their data',
    '',
    'A field that is not required is left out when it does not apply. Counter values are decimal',
    'text, because they may outgrow the numbers JSON readers keep exactly.',
    '',
    ...sections,
  ].join('\n');
}
