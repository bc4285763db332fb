/** The file name the bridge's own frames carry in stacks, so they can be left out of reports. */
export const PRELUDE_FILE = 'serialtrace:bridge';

/**
 * Runs inside QuickJS before the customer's script and evaluates to the "kit" only the host
 * holds. It keeps its own references to JSON, Object.freeze and friends, so a script that
 * replaces a built-in cannot change how arguments, results or errors cross the boundary; and
 * every crossing is a JSON string, so the host never reads a script object (whose getters or
 * toJSON could run script code, and call the host, where suspending is not allowed).
 */
export const PRELUDE = String.raw`(() => {
  'use strict';
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const freeze = Object.freeze;
  const defineProperty = Object.defineProperty;
  const hasOwn = Object.hasOwn;
  const ErrorType = Error;
  const TypeErrorType = TypeError;
  const InternalErrorType = InternalError;
  const StringType = String;
  const hostErrors = new WeakMap();
  const global = globalThis;

  const install = (name, value) => {
    if (hasOwn(global, name)) throw new TypeErrorType('the global ' + name + ' exists already');
    defineProperty(global, name, { value: freeze(value), writable: false, enumerable: false, configurable: false });
  };
  const text = (value) => {
    try {
      return typeof value === 'string' ? value : value === undefined ? '' : StringType(value);
    } catch {
      return '[' + typeof value + ']';
    }
  };
  const format = (value) => {
    if (typeof value === 'string') return value;
    if (value === undefined) return 'undefined';
    try {
      if (value instanceof ErrorType) return text(value.name) + ': ' + text(value.message);
      const json = stringify(value);
      if (json !== undefined) return json;
    } catch {}
    return text(value);
  };
  const outputReplacer = (key, value) => {
    const type = typeof value;
    if (type === 'function' || type === 'symbol') {
      throw new TypeErrorType('a ' + type + (key === '' ? '' : ' at key "' + key + '"') + ' is not JSON');
    }
    return value;
  };

  return {
    console(write) {
      let open = true;
      const api = {};
      for (const level of ['log', 'info', 'warn', 'error']) {
        const method = { [level](...args) {
          if (!open) return;
          let line = '';
          for (let i = 0; i < args.length; i++) line += (i === 0 ? '' : ' ') + format(args[i]);
          open = write(level, line);
        } }[level];
        defineProperty(api, level, { value: freeze(method), enumerable: true });
      }
      install('console', api);
    },

    namespace(name, methodsJson, call) {
      const api = {};
      for (const method of parse(methodsJson)) {
        const fn = { [method](...args) {
          const reply = parse(call(name, method, stringify(args)));
          if (reply.ok === true) return reply.value;
          // The run is over (time, API limit, a fault of the host): spin until the interrupt
          // handler ends it, which no catch can stop, rather than let the script go on calling.
          if (reply.stop === true) for (;;) {}
          const error = new ErrorType(reply.message);
          if (reply.host === true) {
            error.name = 'SerialtraceError';
            error.code = reply.code;
            error.details = reply.details;
            hostErrors.set(error, reply.id);
          }
          throw error;
        } }[method];
        defineProperty(api, method, { value: freeze(fn), enumerable: true });
      }
      install(name, api);
    },

    async run(contextJson) {
      if (typeof main !== 'function') return 'I';
      const result = await main(parse(contextJson));
      if (result === undefined) return 'Rnull';
      let json;
      try {
        json = stringify(result, outputReplacer);
      } catch (error) {
        if (error instanceof InternalErrorType) throw error;
        return 'O' + format(error instanceof ErrorType ? error.message : error);
      }
      return json === undefined ? 'Oit is not a JSON value' : 'R' + json;
    },

    describe(error) {
      const hostId = hostErrors.get(error);
      if (hostId !== undefined) return stringify(['host', hostId]);
      if (error === null || (typeof error !== 'object' && typeof error !== 'function')) {
        return stringify(['script', '', text(error), '', false]);
      }
      let internal = false, name = '', message = '', stack = '';
      try {
        internal = error instanceof InternalErrorType;
        name = text(error.name);
        message = text(error.message);
        stack = text(error.stack);
      } catch {
        message = message || 'an error that cannot be read';
      }
      return stringify(['script', name, message, stack, internal]);
    },
  };
})()`;
