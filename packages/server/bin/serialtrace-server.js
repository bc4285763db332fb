#!/usr/bin/env node
// A committed, executable entry point: `npm install` links it before the TypeScript build runs.
await import('../dist/main.js');
