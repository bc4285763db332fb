export * from './check-digit.js';
export * from './ai-dictionary.js';
export { AI_DICTIONARY_RELEASE } from './ai-table.generated.js';
export * from './element-string.js';
export * from './digital-link.js';
export * from './epc-urn.js';
export * from './gs1-text.js';
export * from './epc-identifier.js';
export * from './scanned-code.js';
