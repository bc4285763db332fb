import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_NAMES, EVENT_TYPES } from '@serialtrace/core';
import { renderEventDocs } from '../scripts/event-docs.js';

describe('docs/events.md', () => {
  const committed = readFileSync(new URL('./events.md', import.meta.url), 'utf8');

  it('is exactly what the event catalog generates (run `npm run docs:events` after changing it)', () => {
    expect(committed).toBe(renderEventDocs());
  });

  it('gives every action a section with its label and a row for every field of its data', () => {
    for (const type of EVENT_TYPE_NAMES) {
      const spec = EVENT_TYPES[type];
      expect(committed.split(`\n### ${type}\n`).length - 1, type).toBe(1);
      const section = committed.split(`\n### ${type}\n`)[1]!.split('\n### ')[0]!;
      expect(section, type).toContain(`**${spec.label}** (entity type \`${spec.entityType}\`)`);
      for (const field of Object.keys(spec.data)) expect(section, `${type} ${field}`).toContain(`| \`${field}\` |`);
    }
  });
});
