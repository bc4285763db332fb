import { ROUTES, type Routes } from '@serialtrace/api';
import { SerialtraceError } from '@serialtrace/core';
import type { EpcisPage, EpcisQueryParams, EpcisResource } from '@serialtrace/service';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute, type RouteHandler } from '../../route.js';

/** The versions of the standards this repository serves. */
const SERVED = { EPCIS: '2.0.0', CBV: '2.0.0' } as const;

/** A version as numbers (`2.0.1` -> [2, 0, 1]); undefined when it is none. */
function versionOf(text: string): number[] | undefined {
  return /^\d{1,4}(\.\d{1,4}){0,2}$/.test(text) ? text.split('.').map(Number) : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Refuses a request whose version headers exclude what is served (406): a `GS1-EPCIS-Version` of
 * another major version, a `-Min` above or a `-Max` below it; likewise for the CBV.
 */
function checkVersions(request: FastifyRequest): void {
  for (const standard of ['EPCIS', 'CBV'] as const) {
    const served = versionOf(SERVED[standard])!;
    const asked = (suffix: string) => {
      const value = request.headers[`gs1-${standard.toLowerCase()}-${suffix}`];
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    };
    const refuse = (text: string) => new SerialtraceError('EPCIS_VERSION_NOT_ACCEPTABLE', { standard, served: SERVED[standard], asked: text });
    const version = asked('version');
    const min = asked('min');
    const max = asked('max');
    if (version !== undefined) {
      const v = versionOf(version);
      if (v === undefined || v[0] !== served[0]) throw refuse(`version ${version}`);
    }
    if (min !== undefined) {
      const v = versionOf(min);
      if (v === undefined || compare(v, served) > 0) throw refuse(`at least ${min}`);
    }
    if (max !== undefined) {
      const v = versionOf(max);
      if (v === undefined || compare(v, served) < 0) throw refuse(`at most ${max}`);
    }
  }
}

/** The versions of the standards every /epcis answer says it speaks, as the REST bindings ask. */
function speaksEpcis2(reply: FastifyReply): void {
  reply.header('GS1-EPCIS-Version', SERVED.EPCIS).header('GS1-CBV-Version', SERVED.CBV);
}

/**
 * The link to the next page: this request's URL with the token of the next page, as the REST
 * bindings' `Link: <...>; rel="next"`.
 */
function linkNext(request: FastifyRequest, reply: FastifyReply, token: string): void {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set('nextPageToken', token);
  reply.header('Link', `<${url.toString()}>; rel="next"`);
}

/** The GS1-EPC-Format header a query reads. */
function epcFormatOf(request: FastifyRequest): string | undefined {
  const value = request.headers['gs1-epc-format'];
  return typeof value === 'string' ? value : undefined;
}

function answerPage<Body>(request: FastifyRequest, reply: FastifyReply, page: EpcisPage<Body>): Body {
  if (page.nextPageToken !== undefined) linkNext(request, reply, page.nextPageToken);
  return page.body;
}

/** The EPCIS 2.0 repository under /epcis: capture, capture jobs, the standard query and the resource routes. */
export function epcisRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { epcis } = services;

  /** A route of the bindings: the version headers checked first, the versions served named in the answer. */
  const route = <N extends keyof Routes>(name: N, handler: RouteHandler<Routes[N]>) =>
    addRoute(app, name, ROUTES[name], async (context) => {
      speaksEpcis2(context.reply);
      checkVersions(context.request);
      return handler(context);
    });

  route('epcisCapture', async ({ caller, headers, body, reply }) => {
    const job = await epcis.capture(caller, body, { errorBehaviour: headers['gs1-capture-error-behaviour'] ?? 'rollback' });
    reply.header('Location', `/epcis/capture/${encodeURIComponent(job.captureID)}`);
    return job;
  });
  route('epcisCaptureJob', async ({ caller, params }) => epcis.findCapture(caller, params.captureID));
  route('epcisEvent', async ({ caller, params, request }) => epcis.event(caller, params.eventID, epcFormatOf(request)));
  route('epcisCaptureEvent', async ({ caller, body, reply }) => {
    const captured = await epcis.captureEvent(caller, body);
    reply.header('Location', `/epcis/events/${encodeURIComponent(captured.eventID)}`);
    return captured;
  });
  route('epcisEvents', async ({ caller, query, request, reply }) => answerPage(request, reply, await epcis.events(caller, query as EpcisQueryParams, epcFormatOf(request))));

  // Each collection the bindings name: the list, a member's sub-resources, a member's events.
  const collection = async (resource: EpcisResource, context: { caller: Parameters<typeof epcis.collection>[0]; query: unknown; request: FastifyRequest; reply: FastifyReply }) =>
    answerPage(context.request, context.reply, await epcis.collection(context.caller, resource, context.query as EpcisQueryParams, epcFormatOf(context.request)));
  const memberEvents = async (
    resource: EpcisResource,
    value: string,
    context: { caller: Parameters<typeof epcis.collection>[0]; query: unknown; request: FastifyRequest; reply: FastifyReply },
  ) => answerPage(context.request, context.reply, await epcis.memberEvents(context.caller, resource, value, context.query as EpcisQueryParams, epcFormatOf(context.request)));

  route('epcisEventTypes', async (c) => collection('eventTypes', c));
  route('epcisEventType', async ({ params }) => epcis.member('eventTypes', params.eventType));
  route('epcisEventTypeEvents', async (c) => memberEvents('eventTypes', c.params.eventType, c));
  route('epcisEpcs', async (c) => collection('epcs', c));
  route('epcisEpc', async ({ params }) => epcis.member('epcs', params.epc));
  route('epcisEpcEvents', async (c) => memberEvents('epcs', c.params.epc, c));
  route('epcisBizSteps', async (c) => collection('bizSteps', c));
  route('epcisBizStep', async ({ params }) => epcis.member('bizSteps', params.bizStep));
  route('epcisBizStepEvents', async (c) => memberEvents('bizSteps', c.params.bizStep, c));
  route('epcisBizLocations', async (c) => collection('bizLocations', c));
  route('epcisBizLocation', async ({ params }) => epcis.member('bizLocations', params.bizLocation));
  route('epcisBizLocationEvents', async (c) => memberEvents('bizLocations', c.params.bizLocation, c));
  route('epcisReadPoints', async (c) => collection('readPoints', c));
  route('epcisReadPoint', async ({ params }) => epcis.member('readPoints', params.readPoint));
  route('epcisReadPointEvents', async (c) => memberEvents('readPoints', c.params.readPoint, c));
  route('epcisDispositions', async (c) => collection('dispositions', c));
  route('epcisDisposition', async ({ params }) => epcis.member('dispositions', params.disposition));
  route('epcisDispositionEvents', async (c) => memberEvents('dispositions', c.params.disposition, c));
}
