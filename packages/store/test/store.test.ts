import { accessContract } from './access-contract.js';
import { postgresFactory } from './pg-harness.js';
import { sqliteFactory } from './sqlite-harness.js';
import type { StoreFactory } from './store-harness.js';
import { storeContract } from './store-contract.js';

/**
 * Every engine the store ships runs the same contract (Kysely's test/node/src/*.test.ts loop over
 * every dialect the same way).
 */
const FACTORIES: readonly StoreFactory[] = [sqliteFactory, postgresFactory];

for (const factory of FACTORIES) {
  storeContract(factory);
  accessContract(factory);
}
