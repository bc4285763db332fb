export {
  SerialtraceClient,
  errorFromProblem,
  headerTextOf,
  type FetchFunction,
  type RouteArgs,
  type RouteInput,
  type RouteResult,
  type SerialtraceClientOptions,
} from './serialtrace-client.js';
