import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where the built web UI is: `packages/web/dist`, found through the workspace's package name so
 * that it works from a clone and from an installed copy alike. Null when it is not built.
 * The server imports none of the UI's code: it only serves the files Vite wrote.
 */
export function defaultWebRoot(): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve('@serialtrace/web/package.json');
    const root = join(dirname(manifest), 'dist');
    return existsSync(join(root, 'index.html')) ? root : null;
  } catch {
    return null;
  }
}

/**
 * The page's own rules: scripts and styles from this server only, no frames, no plugins, and
 * requests only to this origin. The UI needs nothing else (no CDN, no inline script).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>serialtrace</title></head>
<body><h1>serialtrace</h1><p>The web UI is not built. Run <code>npm run build</code> and start the server again.
The API is at <a href="/api/v1/docs">/api/v1/docs</a>.</p></body></html>`;

/**
 * A request that opens the single-page app: reading a path a browser may open that is not the
 * API, a probe or a file.
 */
export function opensApp(request: Pick<FastifyRequest, 'method' | 'url'>): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0]!;
  return !path.startsWith('/api/') && path !== '/health' && path !== '/ready' && !/\.[A-Za-z0-9]+$/.test(path);
}

/**
 * Serves the web UI at `/`: hashed assets under `/assets/` cached for a year, and `index.html`
 * (never cached, with a strict Content-Security-Policy) for `/` and every path of the app, so
 * a bookmarked `/records?...` opens the app. Returns the handler the server's not-found handler
 * calls for the app's paths.
 */
export async function registerWebUi(app: FastifyInstance, configured: string | null): Promise<(request: FastifyRequest, reply: FastifyReply) => FastifyReply> {
  let root = configured;
  if (root !== null && !existsSync(join(root, 'index.html'))) {
    app.log.warn({ webRoot: root }, 'no web UI build (index.html) in the configured folder; / says the UI is not built');
    root = null;
  }
  const indexHtml = root === null ? NOT_BUILT : readFileSync(join(root, 'index.html'), 'utf8');
  const sendIndex = (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .status(root === null ? 503 : 200)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .type('text/html; charset=utf-8')
      .send(indexHtml);

  await app.register(async (web) => {
    // The UI's files are as public as a login page, and asking who calls would cost a database
    // read per file.
    web.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), access: 'public', anonymous: true };
    });
    web.get('/', { schema: { hide: true } }, sendIndex);
    if (root !== null) {
      const assets = join(root, 'assets', '');
      await web.register(fastifyStatic, {
        root,
        prefix: '/',
        wildcard: false,
        index: false,
        serve: true,
        decorateReply: false,
        cacheControl: false,
        // index.html goes out through sendIndex only, with its policy headers.
        allowedPath: (path) => path !== '/index.html',
        setHeaders: (res, path) => {
          res.setHeader('x-content-type-options', 'nosniff');
          // Vite names assets by their content hash: a changed file has a new name.
          res.setHeader('cache-control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
    }
  });
  return sendIndex;
}
