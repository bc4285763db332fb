/**
 * Writes packages/service/data/common-passwords.txt: the 10,000 most common passwords, lowercased,
 * from the frequency list of zxcvbn (MIT), as the npm package @zxcvbn-ts/language-common ships it.
 * The package is fetched with `npm pack` into a temporary folder; nothing is installed.
 *
 *   node scripts/common-passwords.mjs
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@zxcvbn-ts/language-common@4.1.3';
const COUNT = 10_000;
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'service', 'data', 'common-passwords.txt');

const dir = mkdtempSync(join(tmpdir(), 'common-passwords-'));
try {
  execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  const ranked = JSON.parse(readFileSync(join(dir, 'package', 'src', 'passwords.json'), 'utf8'));
  const license = readFileSync(join(dir, 'package', 'LICENSE.txt'), 'utf8').trim();
  const words = [...new Set(ranked.map((word) => String(word).toLowerCase()))].slice(0, COUNT);
  const header = [
    `The ${COUNT} most common passwords, most common first, lowercased: the start of the frequency`,
    `list of zxcvbn as ${PACKAGE} ships it (src/passwords.json). Written by`,
    'scripts/common-passwords.mjs; the service refuses these (see password-policy.ts).',
    '',
    ...license.split('\n'),
  ].map((line) => `# ${line}`.trimEnd());
  writeFileSync(target, `${[...header, ...words].join('\n')}\n`);
  console.log(`wrote ${words.length} passwords to ${target}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
