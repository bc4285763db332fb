export { buildApp, VERSION, type AppOptions, type AppContext } from './app.js';
export { readConfig, DEFAULTS, USAGE, scriptLimitsOf, type ServerConfig } from './config.js';
export { HTTP_STATUS, problemBody } from './problem.js';
export { startServer, type RunningServer } from './server.js';
