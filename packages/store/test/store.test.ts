import { sqliteFactory } from './sqlite-harness.js';
import type { StoreFactory } from './store-harness.js';
import { storeContract } from './store-contract.js';

/**
 * Every engine the store ships runs the same contract (Kysely's test/node/src/*.test.ts loop over
 * every dialect the same way). The PostgreSQL adapter joins this list when it arrives.
 */
const FACTORIES: readonly StoreFactory[] = [sqliteFactory];

for (const factory of FACTORIES) storeContract(factory);
