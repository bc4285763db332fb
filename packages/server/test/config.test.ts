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
      databaseUrl: undefined,
      databaseSchema: 'public',
      databasePoolSize: 10,
      databaseStatementTimeoutMs: 30_000,
    });
  });

  it('reads the script result limit and the number of script workers', () => {
    expect(config([])).toMatchObject({ scriptResultLimitKb: 1024, scriptWorkers: 2 });
    expect(config([], { SERIALTRACE_SCRIPT_RESULT_LIMIT_KB: '64', SERIALTRACE_SCRIPT_WORKERS: '4' })).toMatchObject({ scriptResultLimitKb: 64, scriptWorkers: 4 });
    expect(refusal([], { SERIALTRACE_SCRIPT_WORKERS: '0' }).details).toMatchObject({ field: 'SERIALTRACE_SCRIPT_WORKERS' });
    expect(refusal([], { SERIALTRACE_SCRIPT_RESULT_LIMIT_KB: 'lots' }).details).toMatchObject({ field: 'SERIALTRACE_SCRIPT_RESULT_LIMIT_KB' });
  });

  it('reads SERIALTRACE_HOST, _PORT, _DB and _ADMIN_PASSWORD, and lets flags win', () => {
    const env = { SERIALTRACE_HOST: '0.0.0.0', SERIALTRACE_PORT: '9000', SERIALTRACE_DB: '/var/lib/st.db', SERIALTRACE_ADMIN_PASSWORD: 'from-the-env-1' };
    expect(config([], env)).toMatchObject({ host: '0.0.0.0', port: 9000, db: '/var/lib/st.db', adminPassword: 'from-the-env-1' });
    expect(config(['--host', '::1', '--port', '0', '--db', 'other.db'], env)).toMatchObject({ host: '::1', port: 0, db: 'other.db' });
    expect(
      config([], { SERIALTRACE_RATE_LIMIT: '0', SERIALTRACE_SECURE_COOKIES: 'true', SERIALTRACE_SESSION_HOURS: '2', SERIALTRACE_LEASE_SECONDS: '30' }),
    ).toMatchObject({
      rateLimitPerMinute: 0,
      secureCookies: true,
      sessionHours: 2,
      leaseSeconds: 30,
    });
    expect(config([], {}).leaseSeconds).toBe(300);
    expect(refusal([], { SERIALTRACE_LEASE_SECONDS: '0' }).details).toMatchObject({ field: 'SERIALTRACE_LEASE_SECONDS' });
  });

  it('trusts no proxy unless SERIALTRACE_TRUST_PROXY names them, by address, CIDR range, hop count or true', () => {
    expect(config([]).trustProxy).toBe(false);
    const trust = (value: string) => config([], { SERIALTRACE_TRUST_PROXY: value }).trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.5, 10.1.0.0/16,::1,fd00::/8, loopback')).toEqual(['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8', 'loopback']);
    for (const bad of ['yes', '10.0.0.0/33', '10.0.0.300', 'proxy.example', '0', '10.0.0.1/8/2', '::1/129']) {
      expect(refusal([], { SERIALTRACE_TRUST_PROXY: bad }).details, bad).toMatchObject({ field: 'SERIALTRACE_TRUST_PROXY' });
    }
  });

  it('runs on PostgreSQL given --database or SERIALTRACE_DATABASE_URL, the flag winning, and keeps SQLite otherwise', () => {
    const url = 'postgres://serialtrace:pw@db.example:5432/serialtrace';
    const env = { SERIALTRACE_DATABASE_URL: url, SERIALTRACE_DB: '/var/lib/st.db' };
    // The URL wins over the SQLite file however each is given; db keeps its value, unused.
    expect(config([], env)).toMatchObject({ databaseUrl: url, db: '/var/lib/st.db' });
    expect(config(['--db', 'other.db'], env)).toMatchObject({ databaseUrl: url, db: 'other.db' });
    expect(config(['--database', 'postgresql://flag@127.0.0.1/st'], env).databaseUrl).toBe('postgresql://flag@127.0.0.1/st');
    expect(config(['--database=postgres://flag@127.0.0.1/st'], {}).databaseUrl).toBe('postgres://flag@127.0.0.1/st');
    // An empty variable is no setting, as for the others.
    expect(config([], { SERIALTRACE_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(
      config([], { SERIALTRACE_DATABASE_SCHEMA: 'serialtrace', SERIALTRACE_DATABASE_POOL: '25', SERIALTRACE_DATABASE_STATEMENT_TIMEOUT: '5000' }),
    ).toMatchObject({ databaseSchema: 'serialtrace', databasePoolSize: 25, databaseStatementTimeoutMs: 5000 });
  });

  it('refuses a database URL that is not PostgreSQL without repeating its password, and bad pool, timeout and schema settings', () => {
    const notPostgres = refusal(['--database', 'mysql://root:hunter2@db/st']);
    expect(notPostgres).toMatchObject({ code: 'VALUE_INVALID', details: { field: 'database' } });
    expect(notPostgres.message).not.toContain('hunter2');
    expect(refusal([], { SERIALTRACE_DATABASE_URL: 'db.example:5432' }).details).toMatchObject({ field: 'database' });
    expect(refusal(['--database', '']).details).toMatchObject({ field: 'database' });
    expect(refusal([], { SERIALTRACE_DATABASE_POOL: '0' }).details).toMatchObject({ field: 'SERIALTRACE_DATABASE_POOL' });
    expect(refusal([], { SERIALTRACE_DATABASE_POOL: 'ten' }).details).toMatchObject({ field: 'SERIALTRACE_DATABASE_POOL' });
    expect(refusal([], { SERIALTRACE_DATABASE_STATEMENT_TIMEOUT: '0' }).details).toMatchObject({ field: 'SERIALTRACE_DATABASE_STATEMENT_TIMEOUT' });
    expect(refusal([], { SERIALTRACE_DATABASE_STATEMENT_TIMEOUT: '2.5' }).details).toMatchObject({ field: 'SERIALTRACE_DATABASE_STATEMENT_TIMEOUT' });
    expect(refusal([], { SERIALTRACE_DATABASE_SCHEMA: 'st; DROP TABLE users' }).details).toMatchObject({ field: 'SERIALTRACE_DATABASE_SCHEMA' });
    expect(refusal([], { SERIALTRACE_DATABASE_SCHEMA: '1st' }).details).toMatchObject({ field: 'SERIALTRACE_DATABASE_SCHEMA' });
  });

  it('refuses a bad port or limit naming the setting, and an unknown flag as usage', () => {
    expect(refusal(['--port', 'http']).details).toMatchObject({ field: 'port' });
    expect(refusal([], { SERIALTRACE_PORT: '70000' }).details).toMatchObject({ field: 'port' });
    expect(refusal([], { SERIALTRACE_RATE_LIMIT: '-1' }).details).toMatchObject({ field: 'SERIALTRACE_RATE_LIMIT' });
    expect(refusal(['--verbose']).code).toBe('USAGE_INVALID');
    expect(readConfig(['--help'], {})).toBe('help');
  });
});
