import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w @serialtrace/web` serves the UI with hot reload and sends the API to a server
// started with `npm start` (SERIALTRACE_DEV_API points elsewhere).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The page must run under the server's Content-Security-Policy (no inline script).
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': process.env['SERIALTRACE_DEV_API'] ?? 'http://127.0.0.1:8080' },
  },
});
