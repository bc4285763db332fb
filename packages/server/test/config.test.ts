import { SerialtraceError } from '@serialtrace/core';
import { DEFAULTS, readConfig, type ServerConfig } from '@serialtrace/server';
import { describe, expect, it } from 'vitest';

function config(argv: string[], env: Record<string, string> = {}): ServerConfig {
  const result = readConfig(argv, env);
  if (result === 'help') throw new Error('expected a configuration, got help');
  return result;
}

function refusal(argv: string[], env: Record<string, string> = {}): SerialtraceError {
  try {
    readConfig(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(SerialtraceError);
    return error as SerialtraceError;
  }
  throw new Error('expected a refusal');
}

describe('server configuration', () => {
  it('listens on 127.0.0.1:8080 with ./serialtrace.db when nothing is set', () => {
    expect(config([])).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      db: 'serialtrace.db',
      adminPassword: undefined,
      rateLimitPerMinute: DEFAULTS.rateLimitPerMinute,
      bodyLimitBytes: 1024 * 1024,
      sessionHours: 12,
      secureCookies: false,
    });
  });

  it('reads SERIALTRACE_HOST, _PORT, _DB and _ADMIN_PASSWORD, and lets flags win', () => {
    const env = { SERIALTRACE_HOST: '0.0.0.0', SERIALTRACE_PORT: '9000', SERIALTRACE_DB: '/var/lib/st.db', SERIALTRACE_ADMIN_PASSWORD: 'from-the-env-1' };
    expect(config([], env)).toMatchObject({ host: '0.0.0.0', port: 9000, db: '/var/lib/st.db', adminPassword: 'from-the-env-1' });
    expect(config(['--host', '::1', '--port', '0', '--db', 'other.db'], env)).toMatchObject({ host: '::1', port: 0, db: 'other.db' });
    expect(config([], { SERIALTRACE_RATE_LIMIT: '0', SERIALTRACE_SECURE_COOKIES: 'true', SERIALTRACE_SESSION_HOURS: '2' })).toMatchObject({
      rateLimitPerMinute: 0,
      secureCookies: true,
      sessionHours: 2,
    });
  });

  it('refuses a bad port or limit naming the setting, and an unknown flag as usage', () => {
    expect(refusal(['--port', 'http']).details).toMatchObject({ field: 'port' });
    expect(refusal([], { SERIALTRACE_PORT: '70000' }).details).toMatchObject({ field: 'port' });
    expect(refusal([], { SERIALTRACE_RATE_LIMIT: '-1' }).details).toMatchObject({ field: 'SERIALTRACE_RATE_LIMIT' });
    expect(refusal(['--verbose']).code).toBe('USAGE_INVALID');
    expect(readConfig(['--help'], {})).toBe('help');
  });
});
