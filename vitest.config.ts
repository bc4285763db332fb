import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources, never a stale build; only the e2e tier runs the
// built binary, which `npm test` builds first.
const alias = {
  '@serialtrace/core': src('core'),
  '@serialtrace/store': src('store'),
  '@serialtrace/service': src('service'),
  '@serialtrace/cli': src('cli'),
  '@serialtrace/api': src('api'),
  '@serialtrace/client': src('client'),
  '@serialtrace/server': src('server'),
  '@serialtrace/labels': src('labels'),
  '@serialtrace/epcis': src('epcis'),
  '@serialtrace/scripting': src('scripting'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'store', include: ['packages/store/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'service', include: ['packages/service/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'client', include: ['packages/client/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['packages/cli/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'labels', include: ['packages/labels/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'epcis', include: ['packages/epcis/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'scripting', include: ['packages/scripting/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'server', include: ['packages/server/test/**/*.test.ts'] } },
      // Components of the web UI in a simulated DOM; the real browser runs in the e2e tier.
      { extends: true, plugins: [react()], test: { name: 'web', include: ['packages/web/test/**/*.test.tsx'], environment: 'jsdom' } },
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 120_000 } },
      { extends: true, test: { name: 'docs', include: ['docs/**/*.test.ts', 'scripts/**/*.test.ts'] } },
    ],
  },
});
