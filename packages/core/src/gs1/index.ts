export * from './check-digit.js';
