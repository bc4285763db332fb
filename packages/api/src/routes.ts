import type { Permission } from '@serialtrace/core';
import Type from 'typebox';
import * as A from './schemas/access.schema.js';
import * as Ag from './schemas/aggregation.schema.js';
import * as Au from './schemas/audit.schema.js';
import { Empty, WhereHeaders } from './schemas/common.schema.js';
import * as E from './schemas/epcis.schema.js';
import * as G from './schemas/gs1.schema.js';
import * as L from './schemas/labels.schema.js';
import * as R from './schemas/records.schema.js';
import * as Sc from './schemas/scripts.schema.js';
import * as S from './schemas/serials.schema.js';
import * as Se from './schemas/series.schema.js';

/**
 * Who may call a route: anyone (`public`), any signed-in user or key (`signedIn`), a system
 * administrator (`systemAdmin`), or whoever holds a permission.
 */
export type Access = 'public' | 'signedIn' | 'systemAdmin' | Permission;

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: Type.TSchema;
  readonly querystring?: Type.TSchema;
  readonly body?: Type.TSchema;
  readonly headers?: Type.TSchema;
  /** The success status and its body schema. Refusals are problem documents (see ProblemDocument). */
  readonly status: number;
  readonly response: Type.TSchema;
  /** Set for routes that answer with something other than JSON. */
  readonly produces?: readonly string[];
  /**
   * Open to a user who must change a password someone else set, before they have (signing out,
   * asking who one is, changing it); every other route refuses them with PASSWORD_CHANGE_REQUIRED.
   */
  readonly beforePasswordChange?: true;
  /**
   * A limit of its own, per client address per minute, instead of the per-key limit; `none` for
   * probes that must always answer. (Sign-in keeps the general limit and throttles guessing itself.)
   */
  readonly rateLimit?: number | 'none';
}

const spec = <const R extends RouteSpec>(route: R): R => route;

/**
 * Every route of the HTTP API, in one table: the server registers them from it (validation,
 * serialisation, OpenAPI), and the typed client calls them from it. Paths and shapes here are
 * the published interface.
 */
export const ROUTES = {
  health: spec({ method: 'GET', url: '/health', summary: 'Liveness: the process answers', tag: 'operations', access: 'public', rateLimit: 'none', status: 200, response: A.Health }),
  ready: spec({ method: 'GET', url: '/ready', summary: 'Readiness: the database answers and the server is not shutting down', tag: 'operations', access: 'public', rateLimit: 'none', status: 200, response: A.Health }),

  info: spec({ method: 'GET', url: '/api/v1/info', summary: 'The server\'s version, clock and default time zone (the web UI previews serials with them)', tag: 'operations', access: 'signedIn', status: 200, response: A.ServerInfo }),

  // Not limited per address per minute: the sign-in slows guessing per account and per address itself.
  login: spec({ method: 'POST', url: '/api/v1/auth/login', summary: 'Sign in; sets the session cookie', tag: 'access', access: 'public', body: A.LoginRequest, status: 200, response: A.LoginResult }),
  logout: spec({ method: 'POST', url: '/api/v1/auth/logout', summary: 'Sign out; ends the session', tag: 'access', access: 'signedIn', beforePasswordChange: true, status: 204, response: Empty }),
  me: spec({ method: 'GET', url: '/api/v1/auth/me', summary: 'Who is calling', tag: 'access', access: 'signedIn', beforePasswordChange: true, status: 200, response: A.Me }),
  changePassword: spec({ method: 'POST', url: '/api/v1/auth/password', summary: 'Change the signed-in user\'s password; ends their other sessions', tag: 'access', access: 'signedIn', beforePasswordChange: true, body: A.PasswordChange, status: 204, response: Empty }),

  listUsers: spec({ method: 'GET', url: '/api/v1/users', summary: 'The company\'s users', tag: 'access', access: 'users.read', status: 200, response: A.UserList }),
  createUser: spec({ method: 'POST', url: '/api/v1/users', summary: 'Add a user to the company', tag: 'access', access: 'users.manage', headers: WhereHeaders, body: A.UserCreate, status: 201, response: A.UserView }),
  updateUser: spec({ method: 'PATCH', url: '/api/v1/users/:username', summary: 'Change a user\'s role, disable them, or reset their password', tag: 'access', access: 'users.manage', headers: WhereHeaders, params: A.UsernameParams, body: A.UserUpdate, status: 200, response: A.UserView }),

  listApiKeys: spec({ method: 'GET', url: '/api/v1/api-keys', summary: 'The company\'s API keys (never their secrets)', tag: 'access', access: 'keys.read', status: 200, response: A.ApiKeyList }),
  createApiKey: spec({ method: 'POST', url: '/api/v1/api-keys', summary: 'Create an API key; its secret is shown once', tag: 'access', access: 'keys.manage', headers: WhereHeaders, body: A.ApiKeyCreate, status: 201, response: A.ApiKeyCreated }),
  revokeApiKey: spec({ method: 'DELETE', url: '/api/v1/api-keys/:id', summary: 'Revoke an API key', tag: 'access', access: 'keys.manage', headers: WhereHeaders, params: A.ApiKeyParams, status: 204, response: Empty }),

  listCompanies: spec({ method: 'GET', url: '/api/v1/companies', summary: 'Every company (system administrators)', tag: 'access', access: 'systemAdmin', status: 200, response: A.CompanyList }),
  createCompany: spec({ method: 'POST', url: '/api/v1/companies', summary: 'Add a company with its first admin (system administrators)', tag: 'access', access: 'systemAdmin', headers: WhereHeaders, body: A.CompanyCreate, status: 201, response: A.CompanyCreated }),

  listSeries: spec({ method: 'GET', url: '/api/v1/series', summary: 'Every series with its current period and capacity', tag: 'series', access: 'series.read', status: 200, response: Se.SeriesList }),
  createSeries: spec({ method: 'POST', url: '/api/v1/series', summary: 'Create a series', tag: 'series', access: 'series.write', headers: WhereHeaders, body: Se.SeriesCreate, status: 201, response: Se.SeriesView }),
  previewDefinition: spec({ method: 'POST', url: '/api/v1/series/preview', summary: 'The first serials a series described here would issue; nothing is stored', tag: 'series', access: 'series.read', body: Se.PreviewDefinitionRequest, status: 200, response: Se.PreviewResult }),
  getSeries: spec({ method: 'GET', url: '/api/v1/series/:name', summary: 'One series', tag: 'series', access: 'series.read', params: Se.SeriesNameParams, status: 200, response: Se.SeriesView }),
  updateSeries: spec({ method: 'PATCH', url: '/api/v1/series/:name', summary: 'Change a series; the old settings are kept as a version', tag: 'series', access: 'series.write', headers: WhereHeaders, params: Se.SeriesNameParams, body: Se.SeriesUpdate, status: 200, response: Se.SeriesView }),
  seriesVersions: spec({ method: 'GET', url: '/api/v1/series/:name/versions', summary: 'Every version of a series, who changed it and why', tag: 'series', access: 'series.read', params: Se.SeriesNameParams, status: 200, response: Se.SeriesVersions }),
  seriesCapacity: spec({ method: 'GET', url: '/api/v1/series/:name/capacity', summary: 'The current period\'s counter and the capacity used', tag: 'series', access: 'series.read', params: Se.SeriesNameParams, status: 200, response: Se.SeriesCapacity }),
  previewNext: spec({ method: 'POST', url: '/api/v1/series/:name/preview', summary: 'The next serials of a series; nothing is consumed', tag: 'series', access: 'series.read', params: Se.SeriesNameParams, body: Se.PreviewNextRequest, status: 200, response: Se.PreviewResult }),

  generate: spec({ method: 'POST', url: '/api/v1/series/:name/serials', summary: 'Issue one serial or a batch (durable before the answer)', tag: 'serials', access: 'serials.generate', headers: Type.Object({ ...WhereHeaders.properties, ...S.GenerateHeaders.properties }), params: Se.SeriesNameParams, body: S.GenerateRequest, status: 201, response: S.GenerateResult }),

  searchRecords: spec({ method: 'GET', url: '/api/v1/records', summary: 'Records newest first, filtered, one page at a time', tag: 'records', access: 'records.read', querystring: R.RecordQuery, status: 200, response: R.RecordPage }),
  countRecords: spec({ method: 'GET', url: '/api/v1/record-count', summary: 'How many records a search with these filters finds', tag: 'records', access: 'records.read', querystring: R.RecordCountQuery, status: 200, response: R.RecordCount }),
  getRecord: spec({ method: 'GET', url: '/api/v1/records/:serial', summary: 'A record with its status history and audit entries', tag: 'records', access: 'records.read', params: R.SerialParams, querystring: R.SeriesFilter, status: 200, response: R.RecordDetails }),
  changeStatus: spec({ method: 'POST', url: '/api/v1/records/:serial/status', summary: 'Move a record to a new status', tag: 'records', access: 'records.status', headers: WhereHeaders, params: R.SerialParams, body: R.StatusChangeRequest, status: 200, response: R.RecordDetails }),
  printLabel: spec({ method: 'POST', url: '/api/v1/records/:serial/label', summary: 'Print a record\'s label: the document, once its print is recorded (the first moves the record to printed; reprints are counted)', tag: 'labels', access: 'labels.print', headers: WhereHeaders, params: R.SerialParams, body: L.PrintRequest, status: 200, response: L.LabelBytes, produces: L.LABEL_MEDIA_TYPES }),
  workOrderRecords: spec({ method: 'GET', url: '/api/v1/work-orders/:workOrder/records', summary: 'Every record of a work order, oldest first', tag: 'records', access: 'records.read', params: R.WorkOrderParams, status: 200, response: R.RecordList }),

  listLabelTemplates: spec({ method: 'GET', url: '/api/v1/label-templates', summary: 'Label templates: the built-in ones, then the company\'s', tag: 'labels', access: 'series.read', status: 200, response: L.LabelTemplateList }),
  getLabelTemplate: spec({ method: 'GET', url: '/api/v1/label-templates/:name', summary: 'One label template', tag: 'labels', access: 'series.read', params: L.LabelTemplateParams, status: 200, response: L.LabelTemplateView }),
  saveLabelTemplate: spec({ method: 'PUT', url: '/api/v1/label-templates/:name', summary: 'Create or replace a company label template', tag: 'labels', access: 'labels.write', headers: WhereHeaders, params: L.LabelTemplateParams, body: L.LabelTemplateInput, status: 200, response: L.LabelTemplateView }),
  deleteLabelTemplate: spec({ method: 'DELETE', url: '/api/v1/label-templates/:name', summary: 'Delete a company label template', tag: 'labels', access: 'labels.write', headers: WhereHeaders, params: L.LabelTemplateParams, status: 204, response: Empty }),
  renderDocument: spec({ method: 'POST', url: '/api/v1/documents', summary: 'Render a document from a label template (a record\'s or given values); nothing is recorded', tag: 'labels', access: 'labels.print', body: L.DocumentRequest, status: 200, response: L.LabelBytes, produces: L.LABEL_MEDIA_TYPES }),
  gs1Parse: spec({ method: 'POST', url: '/api/v1/gs1/parse', summary: 'Read GS1 data in any notation and give it in all of them', tag: 'gs1', access: 'signedIn', body: G.Gs1ParseRequest, status: 200, response: G.Gs1Parsed }),
  gs1CheckDigit: spec({ method: 'POST', url: '/api/v1/gs1/check-digit', summary: 'Complete a GS1 key with its check digit', tag: 'gs1', access: 'signedIn', body: G.Gs1CheckDigitRequest, status: 200, response: G.Gs1Key }),

  listScripts: spec({ method: 'GET', url: '/api/v1/scripts', summary: 'The company\'s scripts (without their source)', tag: 'scripts', access: 'scripts.read', status: 200, response: Sc.ScriptList }),
  getScript: spec({ method: 'GET', url: '/api/v1/scripts/:name', summary: 'A script\'s current version, with its source', tag: 'scripts', access: 'scripts.read', params: Sc.ScriptNameParams, status: 200, response: Sc.ScriptView }),
  saveScript: spec({ method: 'PUT', url: '/api/v1/scripts/:name', summary: 'Create a script or save a new version of it (it must compile and define main)', tag: 'scripts', access: 'scripts.write', headers: WhereHeaders, params: Sc.ScriptNameParams, body: Sc.ScriptSave, status: 200, response: Sc.ScriptView }),
  scriptVersions: spec({ method: 'GET', url: '/api/v1/scripts/:name/versions', summary: 'Every version of a script: source, who saved it, when and why', tag: 'scripts', access: 'scripts.read', params: Sc.ScriptNameParams, status: 200, response: Sc.ScriptVersions }),
  runScript: spec({ method: 'POST', url: '/api/v1/scripts/:name/runs', summary: 'Run a script\'s main(context) in one transaction: {result, logs}, or its error with nothing kept', tag: 'scripts', access: 'scripts.run', headers: WhereHeaders, params: Sc.ScriptNameParams, body: Sc.ScriptRunRequest, status: 200, response: Sc.ScriptRunResult }),
  listScriptRuns: spec({ method: 'GET', url: '/api/v1/scripts/:name/runs', summary: 'A script\'s runs, newest first', tag: 'scripts', access: 'scripts.read', params: Sc.ScriptNameParams, querystring: Sc.ScriptRunQuery, status: 200, response: Sc.ScriptRunPage }),
  getScriptRun: spec({ method: 'GET', url: '/api/v1/script-runs/:id', summary: 'One recorded run: version, who, input, output or error, logs, duration', tag: 'scripts', access: 'scripts.read', params: Sc.ScriptRunParams, status: 200, response: Sc.ScriptRunView }),

  listAudit: spec({ method: 'GET', url: '/api/v1/audit', summary: 'Audit entries, newest first', tag: 'audit', access: 'audit.read', querystring: Au.AuditQuery, status: 200, response: Au.AuditList }),
  verifyAudit: spec({ method: 'GET', url: '/api/v1/audit/verify', summary: 'Recompute the hash chain, hold it against its kept head (and a checkpoint), check every record against its entries, and report every problem', tag: 'audit', access: 'audit.export', querystring: Au.VerifyQuery, status: 200, response: Au.VerifyResult }),
  exportAudit: spec({ method: 'GET', url: '/api/v1/audit/export', summary: 'Every entry in chain order, as JSON or CSV', tag: 'audit', access: 'audit.export', querystring: Au.AuditExportQuery, status: 200, response: Type.Array(Au.AuditEntry), produces: ['application/json', 'text/csv'] }),
  // The EPCIS 2.0 REST bindings (GS1's openapi.yaml): paths and shapes as the standard gives them.
  epcisCapture: spec({ method: 'POST', url: '/epcis/capture', summary: 'Capture an EPCISDocument; answers the finished capture job and its Location', tag: 'epcis', access: 'epcis.capture', headers: E.EpcisCaptureHeaders, body: E.EpcisBody, status: 202, response: E.CaptureJob }),
  epcisCaptureJob: spec({ method: 'GET', url: '/epcis/capture/:captureID', summary: 'A capture job: running, success, errors', tag: 'epcis', access: 'epcis.read', params: E.CaptureJobParams, status: 200, response: E.CaptureJob }),
  epcisEvent: spec({ method: 'GET', url: '/epcis/events/:eventID', summary: 'One EPCIS event, in an EPCISQueryDocument', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.EventParams, status: 200, response: E.EpcisBody }),
  epcisCaptureEvent: spec({ method: 'POST', url: '/epcis/events', summary: 'Capture one EPCIS event; answers its id and Location', tag: 'epcis', access: 'epcis.capture', headers: E.EpcisCaptureHeaders, body: E.EpcisBody, status: 201, response: E.CapturedEvent }),
  pack: spec({ method: 'POST', url: '/api/v1/pack', summary: 'Pack units into a parent (a case, a pallet): one AggregationEvent', tag: 'aggregation', access: 'aggregation.pack', headers: WhereHeaders, body: Ag.PackBody, status: 201, response: Ag.Aggregation }),
  packMany: spec({ method: 'POST', url: '/api/v1/pack/batch', summary: 'Pack a list of parents in order, all or nothing', tag: 'aggregation', access: 'aggregation.pack', headers: WhereHeaders, body: Ag.PackManyBody, status: 201, response: Ag.Aggregations }),
  unpack: spec({ method: 'POST', url: '/api/v1/unpack', summary: 'Take units out of a parent (all of them when none are named): one AggregationEvent', tag: 'aggregation', access: 'aggregation.pack', headers: WhereHeaders, body: Ag.UnpackBody, status: 201, response: Ag.Aggregation }),
  contents: spec({ method: 'GET', url: '/api/v1/contents', summary: 'What a container holds at every level, now or at a past instant', tag: 'aggregation', access: 'epcis.read', querystring: Ag.CodeQuery, status: 200, response: Ag.Contents }),
  parents: spec({ method: 'GET', url: '/api/v1/parents', summary: 'What holds a unit, innermost first, now or at a past instant', tag: 'aggregation', access: 'epcis.read', querystring: Ag.CodeQuery, status: 200, response: Ag.Parents }),
  ship: spec({ method: 'POST', url: '/api/v1/ship', summary: 'Ship units or containers (what they hold moves with them): one ObjectEvent, shipping', tag: 'aggregation', access: 'aggregation.pack', headers: WhereHeaders, body: Ag.MovementBody, status: 201, response: Ag.Movement }),
  receive: spec({ method: 'POST', url: '/api/v1/receive', summary: 'Receive units or containers: one ObjectEvent, receiving', tag: 'aggregation', access: 'aggregation.pack', headers: WhereHeaders, body: Ag.MovementBody, status: 201, response: Ag.Movement }),
  trace: spec({ method: 'GET', url: '/api/v1/trace', summary: 'A unit\'s state (disposition, location, owner, containers) and its events, now or at a past instant', tag: 'aggregation', access: 'epcis.read', querystring: Ag.CodeQuery, status: 200, response: Ag.Trace }),
  epcisEvents: spec({ method: 'GET', url: '/epcis/events', summary: 'The events the standard query parameters select, a page at a time, as an EPCISQueryDocument', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, querystring: E.EpcisQueryString, status: 200, response: E.EpcisBody }),
  epcisEventTypes: spec({ method: 'GET', url: '/epcis/eventTypes', summary: 'The event types of EPCIS 2.0', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, querystring: E.EpcisPaging, status: 200, response: E.EpcisCollection }),
  epcisEventType: spec({ method: 'GET', url: '/epcis/eventTypes/:eventType', summary: 'The sub-resources of an event type', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.EventTypeParams, status: 200, response: E.EpcisCollection }),
  epcisEventTypeEvents: spec({ method: 'GET', url: '/epcis/eventTypes/:eventType/events', summary: 'The events of one type, with the standard query parameters', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.EventTypeParams, querystring: E.EpcisQueryString, status: 200, response: E.EpcisBody }),
  epcisEpcs: spec({ method: 'GET', url: '/epcis/epcs', summary: 'The EPCs the repository\'s events name, a page at a time', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, querystring: E.EpcisPaging, status: 200, response: E.EpcisCollection }),
  epcisEpc: spec({ method: 'GET', url: '/epcis/epcs/:epc', summary: 'The sub-resources of an EPC', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.EpcParams, status: 200, response: E.EpcisCollection }),
  epcisEpcEvents: spec({ method: 'GET', url: '/epcis/epcs/:epc/events', summary: 'The events that name an EPC in any role (MATCH_anyEPC), with the standard query parameters', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.EpcParams, querystring: E.EpcisQueryString, status: 200, response: E.EpcisBody }),
  epcisBizSteps: spec({ method: 'GET', url: '/epcis/bizSteps', summary: 'The business steps the repository\'s events name', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, querystring: E.EpcisPaging, status: 200, response: E.EpcisCollection }),
  epcisBizStep: spec({ method: 'GET', url: '/epcis/bizSteps/:bizStep', summary: 'The sub-resources of a business step', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.BizStepParams, status: 200, response: E.EpcisCollection }),
  epcisBizStepEvents: spec({ method: 'GET', url: '/epcis/bizSteps/:bizStep/events', summary: 'The events of a business step, with the standard query parameters', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.BizStepParams, querystring: E.EpcisQueryString, status: 200, response: E.EpcisBody }),
  epcisBizLocations: spec({ method: 'GET', url: '/epcis/bizLocations', summary: 'The business locations the repository\'s events name', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, querystring: E.EpcisPaging, status: 200, response: E.EpcisCollection }),
  epcisBizLocation: spec({ method: 'GET', url: '/epcis/bizLocations/:bizLocation', summary: 'The sub-resources of a business location', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.BizLocationParams, status: 200, response: E.EpcisCollection }),
  epcisBizLocationEvents: spec({ method: 'GET', url: '/epcis/bizLocations/:bizLocation/events', summary: 'The events at a business location, with the standard query parameters', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.BizLocationParams, querystring: E.EpcisQueryString, status: 200, response: E.EpcisBody }),
  epcisReadPoints: spec({ method: 'GET', url: '/epcis/readPoints', summary: 'The read points the repository\'s events name', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, querystring: E.EpcisPaging, status: 200, response: E.EpcisCollection }),
  epcisReadPoint: spec({ method: 'GET', url: '/epcis/readPoints/:readPoint', summary: 'The sub-resources of a read point', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.ReadPointParams, status: 200, response: E.EpcisCollection }),
  epcisReadPointEvents: spec({ method: 'GET', url: '/epcis/readPoints/:readPoint/events', summary: 'The events read at a read point, with the standard query parameters', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.ReadPointParams, querystring: E.EpcisQueryString, status: 200, response: E.EpcisBody }),
  epcisDispositions: spec({ method: 'GET', url: '/epcis/dispositions', summary: 'The dispositions the repository\'s events name', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, querystring: E.EpcisPaging, status: 200, response: E.EpcisCollection }),
  epcisDisposition: spec({ method: 'GET', url: '/epcis/dispositions/:disposition', summary: 'The sub-resources of a disposition', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.DispositionParams, status: 200, response: E.EpcisCollection }),
  epcisDispositionEvents: spec({ method: 'GET', url: '/epcis/dispositions/:disposition/events', summary: 'The events of a disposition, with the standard query parameters', tag: 'epcis', access: 'epcis.read', headers: E.EpcisQueryHeaders, params: E.DispositionParams, querystring: E.EpcisQueryString, status: 200, response: E.EpcisBody }),
  readJournal: spec({ method: 'GET', url: '/api/v1/journal', summary: 'The company\'s journal: every committed change as a typed event, in commit order, after a position', tag: 'audit', access: 'audit.read', querystring: Au.JournalQuery, status: 200, response: Au.JournalPage }),
} as const;

export type RouteName = keyof typeof ROUTES;
export type Routes = typeof ROUTES;
