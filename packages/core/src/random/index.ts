export * from './ff1.js';
export * from './sequence-permutation.js';
export * from './guess-bound.js';
