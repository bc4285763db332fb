import { ROUTES } from '@serialtrace/api';
import { completeKey, parseGs1Text } from '@serialtrace/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** Sends a rendered label as its own media type, named for download. */
function sendDocument(reply: FastifyReply, document: { contentType: string; bytes: Uint8Array; format: string; template: string }, name: string): FastifyReply {
  const file = `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.${document.format}`;
  return reply
    .type(document.contentType)
    .header('content-disposition', `attachment; filename="${file}"`)
    .header('serialtrace-label-template', document.template)
    .send(Buffer.from(document.bytes.buffer, document.bytes.byteOffset, document.bytes.byteLength));
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
    return sendDocument(reply, document, body.serial ?? body.values?.serial ?? 'label');
  });
  addRoute(app, 'printLabel', ROUTES.printLabel, async ({ caller, params, body, reply }) => {
    const printed = await labels.print(caller, params.serial, body);
    return sendDocument(reply.header('serialtrace-label-print', String(printed.print)), printed, printed.record.serial);
  });
  addRoute(app, 'gs1Parse', ROUTES.gs1Parse, async ({ body }) => parseGs1Text(body.text));
  addRoute(app, 'gs1CheckDigit', ROUTES.gs1CheckDigit, async ({ body }) => ({ key: completeKey(body.digits.trim()) }));
}
