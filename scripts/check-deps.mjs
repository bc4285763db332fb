#!/usr/bin/env node
// Keeps the dependency direction of ARCHITECTURE.md true: each package may import only the
// packages listed for it, and core imports no Node built-in, so browsers can run it too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const DEPS = {
  core: [],
  api: ['@serialtrace/core', 'typebox'],
  store: ['@serialtrace/core', 'better-sqlite3', 'pg'],
  service: ['@serialtrace/core', '@serialtrace/store', '@serialtrace/labels', '@serialtrace/scripting', '@serialtrace/epcis'],
  labels: ['@serialtrace/core', 'bwip-js', 'pdf-lib', 'pngjs'],
  epcis: ['@serialtrace/core', 'ajv', 'ajv-formats'],
  scripting: ['@serialtrace/core', 'quickjs-emscripten'],
  server: [
    '@serialtrace/core',
    '@serialtrace/api',
    '@serialtrace/store',
    '@serialtrace/service',
    'fastify',
    '@fastify/cookie',
    '@fastify/rate-limit',
    '@fastify/swagger',
    '@fastify/swagger-ui',
    '@fastify/static',
    'ajv',
    'ajv-formats',
  ],
  client: ['@serialtrace/core', '@serialtrace/api'],
  cli: ['@serialtrace/core', '@serialtrace/api', '@serialtrace/client', '@serialtrace/store', '@serialtrace/service', 'commander'],
  // The UI speaks to the server only through the typed client; core gives it the same format
  // preview the server computes.
  web: ['@serialtrace/core', '@serialtrace/api', '@serialtrace/client', 'react', 'react-dom', '@tanstack/react-virtual',
    '@codemirror/state', '@codemirror/view', '@codemirror/commands', '@codemirror/language', '@codemirror/lang-javascript', '@codemirror/lint'],
};
// The API contract, the client and the UI run in browsers.
const NODE_BUILTINS_FORBIDDEN = new Set(['core', 'api', 'client', 'web']);

const root = new URL('..', import.meta.url).pathname;
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const importPattern = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|js|mjs)$/.test(name)) yield path;
  }
}

const failures = [];
for (const [pkg, allowed] of Object.entries(DEPS)) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  for (const dep of declared) {
    if (!allowed.includes(dep)) failures.push(`packages/${pkg}/package.json depends on ${dep}, which ${pkg} may not use`);
  }
  for (const file of sourceFiles(join(root, 'packages', pkg, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (spec === undefined || spec.startsWith('.')) continue;
      const where = relative(root, file);
      if (builtins.has(spec) || builtins.has(spec.split('/')[0])) {
        if (NODE_BUILTINS_FORBIDDEN.has(pkg)) failures.push(`${where}: ${pkg} must not import the Node built-in ${spec}`);
        continue;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!allowed.includes(name)) failures.push(`${where}: ${pkg} may not import ${spec} (allowed: ${allowed.join(', ') || 'nothing'})`);
      else if (!declared.has(name)) failures.push(`${where}: imports ${name}, which packages/${pkg}/package.json does not declare`);
    }
  }
}

if (failures.length > 0) {
  console.error(`Dependency direction broken:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`Dependency direction holds for ${Object.keys(DEPS).length} packages.`);
