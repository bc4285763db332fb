export * from './routes.js';
export * from './schemas/common.schema.js';
export * from './schemas/series.schema.js';
export * from './schemas/serials.schema.js';
export * from './schemas/records.schema.js';
export * from './schemas/audit.schema.js';
export * from './schemas/access.schema.js';
export { default as Type } from 'typebox';
