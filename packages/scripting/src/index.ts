export { DEFAULT_SCRIPT_LIMITS, type ScriptLimits } from './script-limits.js';
export type { HostApi, ScriptLog, ScriptOutcome } from './script-outcome.js';
export { ScriptEngine, type ScriptRunRequest } from './script-engine.js';
