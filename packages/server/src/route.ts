import { ProblemDocument, type Routes, type RouteSpec, type Type } from '@serialtrace/api';
import { SerialtraceError } from '@serialtrace/core';
import type { Caller, Identity } from '@serialtrace/service';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

type In<T> = T extends Type.TSchema ? Type.Static<T> : Record<string, never>;

/** What a handler gets: the validated parts of the request, who is calling, and the raw objects. */
export interface RouteContext<S extends RouteSpec> {
  readonly params: In<S['params']>;
  readonly query: In<S['querystring']>;
  readonly body: In<S['body']>;
  readonly headers: In<S['headers']>;
  /** The signed-in user or key (routes that are not public never run without one). */
  readonly identity: Identity;
  /** The audit caller: the identity plus the station, line, plant and reason the request names. */
  readonly caller: Caller;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** The services answer with readonly views; the API's static types are mutable. */
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/**
 * A handler answers with the success body, or takes over the reply itself (cookies, streams). The
 * body type comes from the route's response schema, so a service view that drifts from the
 * published shape does not compile.
 */
export type RouteHandler<S extends RouteSpec> = (context: RouteContext<S>) => Promise<DeepReadonly<Type.Static<S['response']>> | FastifyReply>;

const problemResponse = { content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDocument } } };

function header(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? null : text.trim();
}

/** The audit caller of a request: the identity, and where and why from the Serialtrace-* headers. */
export function callerOf(request: FastifyRequest, identity: Identity): Caller {
  return {
    companyId: identity.companyId,
    actor: identity.actor,
    station: header(request, 'serialtrace-station') ?? identity.station,
    line: header(request, 'serialtrace-line'),
    plant: header(request, 'serialtrace-plant'),
    reason: header(request, 'serialtrace-reason'),
    systemAdmin: identity.systemAdmin,
  };
}

/**
 * Registers one route of the API table: its schemas validate the request, serialise the answer
 * and document it in OpenAPI; its `access` is checked before the handler runs (see auth.ts).
 */
export function addRoute<N extends keyof Routes>(app: FastifyInstance, name: N, spec: Routes[N], handler: RouteHandler<Routes[N]>): void {
  const success =
    spec.status === 204
      ? { type: 'null', description: 'No content.' }
      : 'produces' in spec && spec.produces !== undefined
        ? { content: Object.fromEntries(spec.produces.map((type) => [type, { schema: type === 'application/json' ? spec.response : { type: 'string' } }])) }
        : spec.response;
  app.route({
    method: spec.method,
    url: spec.url,
    config: {
      access: spec.access,
      ...('beforePasswordChange' in spec && spec.beforePasswordChange === true ? { beforePasswordChange: true } : {}),
      ...('rateLimit' in spec && spec.rateLimit !== undefined
        ? {
            rateLimit:
              spec.rateLimit === 'none'
                ? false
                : { max: spec.rateLimit, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => `${name}:${request.ip}` },
          }
        : {}),
    },
    schema: {
      operationId: name,
      summary: spec.summary,
      tags: [spec.tag],
      ...('params' in spec && spec.params !== undefined ? { params: spec.params } : {}),
      ...('querystring' in spec && spec.querystring !== undefined ? { querystring: spec.querystring } : {}),
      ...('body' in spec && spec.body !== undefined ? { body: spec.body } : {}),
      ...('headers' in spec && spec.headers !== undefined ? { headers: spec.headers } : {}),
      ...(spec.access === 'public' ? { security: [] } : {}),
      response: { [spec.status]: success, '4xx': problemResponse, '5xx': problemResponse },
    },
    handler: async (request, reply) => {
      const identity = request.identity;
      if (identity === null && spec.access !== 'public') throw new SerialtraceError('UNAUTHENTICATED', { reason: 'no credentials' });
      const context = {
        params: request.params,
        query: request.query,
        body: request.body,
        headers: request.headers,
        identity: identity!,
        get caller() {
          return callerOf(request, identity!);
        },
        request,
        reply,
      } as unknown as RouteContext<Routes[N]>;
      const result = await handler(context);
      if (result === reply) return reply;
      reply.status(spec.status);
      return spec.status === 204 ? reply.send() : result;
    },
  });
}
