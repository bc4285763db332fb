import { ROUTES } from '@serialtrace/api';
import { can } from '@serialtrace/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** Scripts: save versions, run them (one transaction each), read their runs. */
export function scriptsRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { scripts } = services;

  addRoute(app, 'listScripts', ROUTES.listScripts, async ({ caller }) => ({ scripts: await scripts.list(caller) }));
  addRoute(app, 'getScript', ROUTES.getScript, async ({ caller, params }) => scripts.get(caller, params.name));
  addRoute(app, 'saveScript', ROUTES.saveScript, async ({ caller, params, body }) => scripts.save(caller, params.name, body));
  addRoute(app, 'scriptVersions', ROUTES.scriptVersions, async ({ caller, params }) => ({ versions: await scripts.versions(caller, params.name) }));
  addRoute(app, 'runScript', ROUTES.runScript, async ({ caller, identity, params, body, reply }) => {
    // The script's calls are checked against the permissions of whoever runs it.
    const { result, logs, runId } = await scripts.run(caller, params.name, { context: body.context, can: (permission) => can(identity.role, permission) });
    return reply.header('serialtrace-script-run', String(runId)).send({ result: result ?? null, logs });
  });
  addRoute(app, 'listScriptRuns', ROUTES.listScriptRuns, async ({ caller, params, query }) => scripts.runs(caller, params.name, query));
  addRoute(app, 'getScriptRun', ROUTES.getScriptRun, async ({ caller, params }) => scripts.getRun(caller, params.id));
}
