import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { SerialtraceError } from '@serialtrace/core';
import type { Serialtrace } from '@serialtrace/service';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { registerAuth } from './auth.js';
import type { ServerConfig } from './config.js';
import { asSerialtraceError, PROBLEM_CONTENT_TYPE, problemBody, validationError } from './problem.js';
import { parseQueryStrictly, registerTextPolicy } from './request-text.js';
import { accessRoutes } from './routes/access/index.js';
import { aggregationRoutes } from './routes/aggregation/index.js';
import { auditRoutes } from './routes/audit/index.js';
import { epcisRoutes } from './routes/epcis/index.js';
import { labelsRoutes } from './routes/labels/index.js';
import { scriptsRoutes } from './routes/scripts/index.js';
import { operationsRoutes } from './routes/operations/index.js';
import { recordsRoutes } from './routes/records/index.js';
import { seriesRoutes } from './routes/series/index.js';
import { defaultWebRoot, opensApp, registerWebUi } from './web-ui.js';

export const VERSION = '0.1.0';

/** What the routes need: the services, the configuration, and whether the server can serve. */
export interface AppContext {
  readonly services: Serialtrace;
  readonly config: ServerConfig;
  readonly shuttingDown: () => boolean;
  /** Why the first start is not complete yet (see {@link AppOptions.startPending}), or null. */
  readonly startPending: () => string | null;
}

export interface AppOptions {
  readonly services: Serialtrace;
  readonly config: ServerConfig;
  /** Fastify's logger setting; false in tests. */
  readonly logger?: FastifyServerOptions['logger'];
  readonly shuttingDown?: () => boolean;
  /**
   * Why the server listens but cannot serve yet, or null: server.ts retries the first start in
   * the background when the database was unreachable. /ready answers NOT_READY with the reason.
   */
  readonly startPending?: () => string | null;
  /**
   * The built web UI to serve at `/`: by default `config.webRoot`, else packages/web/dist; null
   * serves a page saying it is not built.
   */
  readonly webRoot?: string | null;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;
/** Longest path parameter in characters as sent: 100 characters of any script, percent-encoded, fit. */
const MAX_PARAM_LENGTH = 1000;
const SECURITY_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;
/** The API and the probes; the web UI's files say how long they keep. */
const STORED_NOWHERE = /^\/(api\/|epcis(\/|\?|$)|health(\?|$)|ready(\?|$))/;
/**
 * The browsable API reference loads only its own files: no inline script, no other origin, no
 * framing; requests it makes go to this server only. The one inline style Swagger UI injects is
 * allowed by its hash (seen in Chromium with @fastify/swagger-ui 6.1; another version's would be
 * refused, which only changes how a panel looks).
 */
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/**
 * Two validators: JSON bodies carry real types, so `{"quantity": "5"}` is refused rather than
 * quietly read as 5; path, query and headers are text, so their numbers and booleans are read
 * from it. Both report every problem and never drop unknown fields silently.
 */
// ajv-formats is CommonJS: under ESM its function is the default export's `default` property.
const addFormats = ajvFormats.default;

function makeValidators(): { body: Ajv; text: Ajv } {
  const options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false } as const;
  const body = new Ajv({ ...options, coerceTypes: false });
  const text = new Ajv({ ...options, coerceTypes: 'array' });
  addFormats(body);
  addFormats(text);
  return { body, text };
}

const validators = makeValidators();

/**
 * The HTTP API as a Fastify instance, not yet listening (tests call `inject` on it; server.ts
 * listens). Every route comes from the API table in @serialtrace/api.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services, config } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.bodyLimitBytes,
    // request.ip is then the client's address as the trusted proxies forward it (sign-in throttling, rate limits).
    trustProxy: fastifyTrustProxy(config.trustProxy),
    requestTimeout: 60_000,
    keepAliveTimeout: 72_000,
    // While closing, a request already on an open connection is answered by its route (with
    // `Connection: close`) instead of Fastify's bare 503: a generation still completes, and
    // /ready says NOT_READY as a problem document. New connections are refused either way.
    return503OnClosing: false,
    // A caller's own request id is kept when it is safe to log; otherwise one is made up.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Percent-encodings that are not UTF-8 are refused by name, not turned into U+FFFD. A path
    // parameter may be long enough for 100 characters of any script, percent-encoded.
    routerOptions: { querystringParser: parseQueryStrictly, maxParamLength: MAX_PARAM_LENGTH },
    // What the router refuses before any route runs is answered as a problem document too.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const refusal =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new SerialtraceError('URL_TOO_LONG', { limit: MAX_PARAM_LENGTH })
          : new SerialtraceError('REQUEST_INVALID', { reason: 'the URL path is not percent-encoded UTF-8' });
      // The URL is not echoed: it is what was wrong, and it may be 10 KB.
      const { status, body } = problemBody(refusal);
      void reply.status(status).headers(SECURITY_HEADERS).type(PROBLEM_CONTENT_TYPE).send(body);
    },
  });
  const context: AppContext = {
    services,
    config,
    shuttingDown: options.shuttingDown ?? (() => false),
    startPending: options.startPending ?? (() => null),
  };

  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? validators.body : validators.text).compile(schema));
  registerTextPolicy(app);

  // Bodies are JSON: a text/plain body is what a cross-site form can send without asking.
  app.removeContentTypeParser('text/plain');
  // EPCIS 2.0 documents are JSON-LD, which partners send as application/ld+json.
  app.addContentTypeParser('application/ld+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  // Set at the start, so that every answer carries them, refusals from hooks included. The web
  // UI's files set their own caching; every other answer is stored nowhere (a one-time API key
  // secret, a record) and is never read as another media type than it says.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
    if (STORED_NOWHERE.test(request.url)) void reply.header('cache-control', 'no-store');
    done();
  });

  app.setErrorHandler((error: FastifyError | SerialtraceError, request, reply) => {
    const refusal = asSerialtraceError(error) ?? fromFastifyError(error, config);
    const { status, body } = problemBody(refusal, request.url);
    // A fault of serialtrace itself (any 500, such as an audit event its catalog does not declare).
    if (status === 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).type(PROBLEM_CONTENT_TYPE).send(body);
  });
  // Filled in once the UI's routes are registered, after the API's.
  const webUi: { send?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply } = {};
  app.setNotFoundHandler((request, reply) => {
    // A path of the single-page app (a bookmark, a reload) opens the app, which shows the page.
    if (webUi.send !== undefined && opensApp(request)) {
      return webUi.send(request, reply);
    }
    const { status, body } = problemBody(new SerialtraceError('ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0]! }), request.url);
    void reply.status(status).type(PROBLEM_CONTENT_TYPE).send(body);
  });

  await app.register(cookie);
  registerAuth(app, services);
  if (config.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.identity === null ? `ip:${request.ip}` : `${request.identity.kind}:${request.identity.id}`),
      errorResponseBuilder: (_request, limit) => new SerialtraceError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(limit.ttl / 1000) }),
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'serialtrace',
        version: VERSION,
        description:
          'Serialization and traceability. Authenticate with a session cookie (POST /api/v1/auth/login) or `Authorization: Bearer <API key>`. ' +
          'Refusals are application/problem+json documents whose `code` is stable. The Serialtrace-Station, -Line, -Plant and -Reason headers go into the audit trail.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: stk_<id>_<secret>.' },
          session: { type: 'apiKey', in: 'cookie', name: 'serialtrace_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs', staticCSP: DOCS_CSP, uiConfig: { validatorUrl: null } });

  operationsRoutes(app, context);
  accessRoutes(app, context);
  seriesRoutes(app, context);
  recordsRoutes(app, context);
  labelsRoutes(app, context);
  scriptsRoutes(app, context);
  auditRoutes(app, context);
  epcisRoutes(app, context);
  aggregationRoutes(app, context);
  webUi.send = await registerWebUi(app, options.webRoot !== undefined ? options.webRoot : (config.webRoot ?? defaultWebRoot()));
  return app;
}

/** SERIALTRACE_TRUST_PROXY for Fastify: a number of hops trusts the nearest that many, as proxy-addr counts them. */
function fastifyTrustProxy(trust: ServerConfig['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'boolean' ? trust : [...trust];
}

/** Fastify's own refusals (schema, size, media type, JSON syntax) in the API's vocabulary. */
function fromFastifyError(error: FastifyError, config: ServerConfig): SerialtraceError {
  if (error.validation !== undefined) return validationError(error.validation, error.validationContext ?? 'body');
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SerialtraceError('PAYLOAD_TOO_LARGE', { limit: config.bodyLimitBytes });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SerialtraceError('REQUEST_INVALID', { reason: 'send the body as application/json' });
    default:
      break;
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new SerialtraceError('REQUEST_INVALID', { reason: error.message });
  }
  return new SerialtraceError('INTERNAL_ERROR');
}
