import { validateHeaderValue } from 'node:http';
import { ROUTES } from '@serialtrace/api';
import { completeKey, parseGs1Text } from '@serialtrace/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../app.js';
import { attachmentDisposition, encodeHeaderText } from '../../request-text.js';
import { addRoute } from '../../route.js';

interface RenderedDocument {
  readonly contentType: string;
  readonly bytes: Uint8Array;
  readonly format: string;
  readonly template: string;
}

/**
 * The headers a rendered label is sent with: its media type, a download name and its template
 * (any text, encoded per RFC 8187), each checked as Node will check it when the answer is
 * written, so that nothing can fail between the work being done and the answer leaving.
 */
function documentHeaders(document: RenderedDocument, name: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': document.contentType,
    'content-disposition': attachmentDisposition(`${name}.${document.format}`),
    'serialtrace-label-template': encodeHeaderText(document.template),
    ...extra,
  };
  for (const [header, value] of Object.entries(headers)) validateHeaderValue(header, value);
  return headers;
}

function sendDocument(reply: FastifyReply, document: RenderedDocument, headers: Record<string, string>): FastifyReply {
  return reply.headers(headers).send(Buffer.from(document.bytes.buffer, document.bytes.byteOffset, document.bytes.byteLength));
}

/** Label templates, documents, printing records' labels, and GS1 conversions. */
export function labelsRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { labels } = services;

  addRoute(app, 'listLabelTemplates', ROUTES.listLabelTemplates, async ({ caller }) => ({ templates: await labels.listTemplates(caller) }));
  addRoute(app, 'getLabelTemplate', ROUTES.getLabelTemplate, async ({ caller, params }) => labels.getTemplate(caller, params.name));
  addRoute(app, 'saveLabelTemplate', ROUTES.saveLabelTemplate, async ({ caller, params, body }) => labels.saveTemplate(caller, params.name, body));
  addRoute(app, 'deleteLabelTemplate', ROUTES.deleteLabelTemplate, async ({ caller, params, reply }) => {
    await labels.deleteTemplate(caller, params.name);
    return reply.status(204).send();
  });
  addRoute(app, 'renderDocument', ROUTES.renderDocument, async ({ caller, body, reply }) => {
    const document = await services.documents.generate(
      caller,
      body.template,
      {
        ...(body.serial === undefined ? {} : { serial: body.serial }),
        ...(body.series === undefined ? {} : { series: body.series }),
        ...(body.values === undefined ? {} : { values: body.values }),
      },
      body.format ?? 'png',
    );
    return sendDocument(reply, document, documentHeaders(document, body.serial ?? body.values?.serial ?? 'label'));
  });
  addRoute(app, 'printLabel', ROUTES.printLabel, async ({ caller, params, body, reply }) => {
    // The headers are made inside the print's transaction: one that cannot be sent undoes the print.
    let headers: Record<string, string> = {};
    const printed = await labels.print(caller, params.serial, body, (label) => {
      headers = documentHeaders(label, label.record.serial, { 'serialtrace-label-print': String(label.print) });
    });
    return sendDocument(reply, printed, headers);
  });
  addRoute(app, 'gs1Parse', ROUTES.gs1Parse, async ({ body }) => parseGs1Text(body.text));
  addRoute(app, 'gs1CheckDigit', ROUTES.gs1CheckDigit, async ({ body }) => ({ key: completeKey(body.digits.trim()) }));
}
