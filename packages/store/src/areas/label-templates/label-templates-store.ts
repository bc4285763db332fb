import { insertText } from '../../schema/tables.js';
import { sql } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';
import type { ChangeStamp } from '../change-stamp.js';

/** A label template a company saved: its definition as JSON text, versioned by saves. */
export interface LabelTemplateRow {
  readonly id: number;
  readonly companyId: number;
  readonly name: string;
  /** The template as JSON text (validated by the service before it is saved). */
  readonly definition: string;
  /** 1 on creation, +1 on every save. */
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/**
 * A company's label templates, by name.
 *
 * @example await tx.labelTemplates.save(1, 'carton', JSON.stringify(template), { at, actor: 'user:alice' });
 */
export interface LabelTemplatesStore {
  list(companyId: number): Promise<LabelTemplateRow[]>;
  find(companyId: number, name: string): Promise<LabelTemplateRow | undefined>;
  /** Creates the template (version 1) or replaces its definition (version + 1). */
  save(companyId: number, name: string, definition: string, stamp: ChangeStamp): Promise<LabelTemplateRow>;
  /** Whether there was such a template. */
  delete(companyId: number, name: string): Promise<boolean>;
}

interface LabelTemplateDbRow {
  id: number;
  company_id: number;
  name: string;
  definition: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

function templateFromRow(row: LabelTemplateDbRow): LabelTemplateRow {
  return {
    id: row.id,
    companyId: row.company_id,
    name: row.name,
    definition: row.definition,
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

const LIST = sql<LabelTemplateDbRow>('label_templates_list', 'SELECT * FROM label_templates WHERE company_id = :company ORDER BY name');
const FIND = sql<LabelTemplateDbRow>('label_template_find', 'SELECT * FROM label_templates WHERE company_id = :company AND name = :name');
const SAVE = sql<LabelTemplateDbRow>(
  'label_template_save',
  insertText(
    'label_templates',
    ['company_id', 'name', 'definition', 'version', 'created_at', 'created_by', 'updated_at', 'updated_by'],
    `ON CONFLICT (company_id, name) DO UPDATE SET definition = excluded.definition, version = label_templates.version + 1,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by
     RETURNING *`,
  ),
);
const DELETE = sql('label_template_delete', 'DELETE FROM label_templates WHERE company_id = :company AND name = :name');

/** {@link LabelTemplatesStore} written once for both engines. */
export class SqlLabelTemplatesStore implements LabelTemplatesStore {
  constructor(private readonly db: SqlSession) {}

  async list(companyId: number): Promise<LabelTemplateRow[]> {
    return (await this.db.all(LIST, { company: companyId })).map(templateFromRow);
  }

  async find(companyId: number, name: string): Promise<LabelTemplateRow | undefined> {
    const row = await this.db.get(FIND, { company: companyId, name });
    return row === undefined ? undefined : templateFromRow(row);
  }

  async save(companyId: number, name: string, definition: string, stamp: ChangeStamp): Promise<LabelTemplateRow> {
    const row = await this.db.get(SAVE, {
      company_id: companyId,
      name,
      definition,
      version: 1,
      created_at: stamp.at,
      created_by: stamp.actor,
      updated_at: stamp.at,
      updated_by: stamp.actor,
    });
    return templateFromRow(row!);
  }

  async delete(companyId: number, name: string): Promise<boolean> {
    return (await this.db.run(DELETE, { company: companyId, name })) > 0;
  }
}
