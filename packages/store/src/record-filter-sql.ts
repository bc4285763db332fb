import { containsPattern } from './row-mapping.js';
import type { RecordFilter } from './store-types.js';

/** How an engine writes a record filter: its placeholders and its case-insensitive LIKE. */
export interface RecordFilterDialect {
  /** `?` (SQLite) or `$n` (PostgreSQL) for the n-th bound value, counting from 1. */
  placeholder(index: number): string;
  /** SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE for the same answers. */
  readonly caseInsensitiveLike: 'LIKE' | 'ILIKE';
}

export const SQLITE_FILTER: RecordFilterDialect = { placeholder: () => '?', caseInsensitiveLike: 'LIKE' };
export const POSTGRES_FILTER: RecordFilterDialect = { placeholder: (index) => `$${index}`, caseInsensitiveLike: 'ILIKE' };

/**
 * The WHERE clause (over `records r`) of a record search and its bound values, one text for
 * both engines, so a search and its count always agree on what matches.
 */
export function recordFilterSql(
  filter: Omit<RecordFilter, 'limit'>,
  dialect: RecordFilterDialect,
  options: { readonly companyColumn?: string } = {},
): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return dialect.placeholder(params.length);
  };
  const where = [`${options.companyColumn ?? 'r.company_id'} = ${bind(filter.companyId)}`];
  if (filter.seriesId !== undefined) where.push(`r.series_id = ${bind(filter.seriesId)}`);
  if (filter.workOrder !== undefined) where.push(`r.work_order = ${bind(filter.workOrder)}`);
  if (filter.partNumber !== undefined) where.push(`r.part_number = ${bind(filter.partNumber)}`);
  if (filter.status !== undefined) where.push(`r.status = ${bind(filter.status)}`);
  if (filter.lot !== undefined) where.push(`r.lot = ${bind(filter.lot)}`);
  if (filter.from !== undefined) where.push(`r.generated_at >= ${bind(filter.from)}`);
  if (filter.to !== undefined) where.push(`r.generated_at < ${bind(filter.to)}`);
  if (filter.beforeId !== undefined) where.push(`r.id < ${bind(filter.beforeId)}`);
  if (filter.text !== undefined) {
    const pattern = containsPattern(filter.text);
    const like = dialect.caseInsensitiveLike;
    where.push(`(r.serial ${like} ${bind(pattern)} ESCAPE '\\' OR r.work_order ${like} ${bind(pattern)} ESCAPE '\\' OR r.part_number ${like} ${bind(pattern)} ESCAPE '\\')`);
  }
  return { where: where.join(' AND '), params };
}

