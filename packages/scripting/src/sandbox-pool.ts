import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckJob, FromWorker, RunJob, ToWorker } from './sandbox-protocol.js';

/** What a job hears from its worker, until it ends. */
export interface JobListener {
  message(message: Exclude<FromWorker, { type: 'ready' }>): void;
  /** The thread died under the job (its JavaScript heap exhausted, or a crash). */
  died(error: Error): void;
}

/**
 * The worker's JavaScript heap, a backstop: the script's own memory is WebAssembly memory, limited
 * by the module's maximum, so the worker's JavaScript holds only messages, logs and results.
 */
const WORKER_HEAP_MB = 256;

/**
 * One sandbox thread: loads and warms up QuickJS on start, then runs one job at a time. It is
 * referenced (keeps the process alive) only while it is starting for someone or running a job.
 */
export class SandboxWorker {
  readonly ready: Promise<void>;
  #worker: Worker;
  #listener: JobListener | undefined;
  #dead: Error | undefined;

  /** `memoryBytes`: the memory limit its first runs are likely to have, to load QuickJS for it at once. */
  constructor(memoryBytes: number | undefined) {
    this.#worker = startWorker(memoryBytes);
    this.ready = new Promise<void>((resolve, reject) => {
      this.#worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else this.#listener?.message(message);
      });
      const die = (error: Error) => {
        this.#dead ??= error;
        reject(error);
        const listener = this.#listener;
        this.#listener = undefined;
        listener?.died(error);
      };
      this.#worker.on('error', die);
      this.#worker.on('exit', (code) => die(new Error(`the sandbox worker exited (code ${code})`)));
    });
    // A worker that fails to start is seen by whoever awaits it; nobody else need hear of it.
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return this.#dead === undefined;
  }

  /** Starts a job; the listener hears everything the worker says about it. */
  start(job: RunJob | CheckJob, listener: JobListener): void {
    if (this.#dead !== undefined) {
      listener.died(this.#dead);
      return;
    }
    this.#listener = listener;
    this.#worker.postMessage(job satisfies ToWorker);
  }

  send(message: ToWorker): void {
    if (this.#dead === undefined) this.#worker.postMessage(message);
  }

  /** The job has ended: the worker stops listening for it. */
  finish(): void {
    this.#listener = undefined;
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }

  /**
   * Ends the thread whatever it is doing (a WebAssembly loop, a runaway allocation): V8 stops its
   * code, and the thread's WebAssembly memory goes back to the system with it.
   */
  terminate(): void {
    this.#listener = undefined;
    this.#dead ??= new Error('the sandbox worker was terminated');
    void this.#worker.terminate();
  }
}

/**
 * The worker's entry: the compiled `.js` beside this file, or, when running from the TypeScript
 * sources (the tests do), the `.ts` behind tsx's loader registered first inside the worker
 * (`execArgv: ['--import', 'tsx']` does not reach worker threads on Node 20).
 */
function startWorker(memoryBytes: number | undefined): Worker {
  const options = { workerData: memoryBytes === undefined ? {} : { memoryBytes }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } };
  const compiled = new URL('./sandbox-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, options);
  const source = new URL('./sandbox-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

/**
 * Up to `size` sandbox workers, created when first needed and replaced when retired, each
 * serving one job at a time; callers beyond the pool size wait their turn.
 *
 * @example const worker = await pool.acquire(limits.memoryBytes); worker.start(job, listener); ... pool.release(worker);
 */
export class SandboxPool {
  readonly #size: number;
  readonly #idle: SandboxWorker[] = [];
  readonly #waiters: (() => void)[] = [];
  #count = 0;
  #disposed = false;
  /** The memory limit of the latest job, for the replacements of retired workers. */
  #memoryBytes: number | undefined;

  constructor(size: number) {
    this.#size = size;
  }

  async acquire(memoryBytes: number): Promise<SandboxWorker> {
    for (;;) {
      if (this.#disposed) throw new Error('the script engine was disposed');
      this.#memoryBytes = memoryBytes;
      let worker = this.#idle.pop();
      if (worker === undefined && this.#count < this.#size) worker = this.#spawn(memoryBytes);
      if (worker === undefined) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
        continue;
      }
      worker.ref();
      try {
        await worker.ready;
      } catch (error) {
        this.#count -= 1;
        this.#wakeOne();
        throw error;
      }
      if (worker.alive) return worker;
      this.#count -= 1;
    }
  }

  /** Hands a worker back after a job that ended normally. */
  release(worker: SandboxWorker): void {
    if (this.#disposed || !worker.alive) {
      this.retire(worker);
      return;
    }
    worker.unref();
    this.#idle.push(worker);
    this.#wakeOne();
  }

  /**
   * Ends a worker (its job overstayed, it faulted, or its heap grew) and starts its replacement
   * at once, so the next job finds one loaded and warm.
   */
  retire(worker: SandboxWorker): void {
    worker.terminate();
    this.#count -= 1;
    if (!this.#disposed) {
      // Referenced while it starts, so a caller waiting for it keeps the process alive.
      const replacement = this.#spawn(this.#memoryBytes);
      replacement.ready.then(
        () => {
          replacement.unref();
          if (this.#disposed) replacement.terminate();
          else this.#idle.push(replacement);
          this.#wakeOne();
        },
        () => {
          this.#count -= 1;
          this.#wakeOne();
        },
      );
    }
    this.#wakeOne();
  }

  dispose(): void {
    this.#disposed = true;
    for (const worker of this.#idle.splice(0)) worker.terminate();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #spawn(memoryBytes: number | undefined): SandboxWorker {
    this.#count += 1;
    return new SandboxWorker(memoryBytes);
  }

  #wakeOne(): void {
    this.#waiters.shift()?.();
  }
}
