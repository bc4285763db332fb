/**
 * Copies the EPCIS conformance data the product and its tests use from a checkout of the
 * standards bodies' material (default `../shared/conformance`, or the directory given):
 * - the EPCIS 2.0 JSON schema, which capture validates against, into `packages/epcis/data/`;
 * - GS1's example documents, the CBV 2.0 event hash vectors and OpenEPCIS's capture documents
 *   (valid and invalid), into `packages/epcis/test/fixtures/`.
 * The copies are the data as published, byte for byte; run this again when they change.
 *
 * Usage: npx tsx scripts/copy-epcis-conformance.ts [CONFORMANCE_DIR]
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(process.argv[2] ?? join(root, '..', 'shared', 'conformance'));
if (!existsSync(join(source, 'epcis'))) {
  console.error(`No EPCIS conformance data under ${source}`);
  process.exit(2);
}
const data = join(root, 'packages', 'epcis', 'data');
const fixtures = join(root, 'packages', 'epcis', 'test', 'fixtures');
mkdirSync(data, { recursive: true });
cpSync(join(source, 'epcis', 'EPCIS-JSON-Schema.json'), join(data, 'epcis-json-schema.json'));
for (const dir of ['epcis', 'epcis-hash', 'epcis-openepcis']) {
  rmSync(join(fixtures, dir), { recursive: true, force: true });
  cpSync(join(source, dir), join(fixtures, dir), { recursive: true });
}
console.log(`Copied the EPCIS schema to ${data} and the conformance documents to ${fixtures}`);
