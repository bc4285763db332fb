import { newQuickJSAsyncWASMModule, RELEASE_ASYNC, type QuickJSAsyncWASMModule } from 'quickjs-emscripten';

/**
 * A few asyncified QuickJS WebAssembly modules, each serving one run at a time. Asyncify can
 * suspend only one host call per module, so two runs sharing a module would corrupt each
 * other; modules are created lazily, and callers beyond the pool size wait their turn.
 *
 * @example const module = await pool.acquire(); try { ... } finally { pool.release(module, false); }
 */
export class ModulePool {
  private readonly idle: QuickJSAsyncWASMModule[] = [];
  private readonly waiters: (() => void)[] = [];
  private created = 0;
  private disposed = false;

  constructor(private readonly size: number) {}

  async acquire(): Promise<QuickJSAsyncWASMModule> {
    for (;;) {
      if (this.disposed) throw new Error('the script engine was disposed');
      const module = this.idle.pop();
      if (module !== undefined) return module;
      if (this.created < this.size) {
        this.created += 1;
        try {
          return await newQuickJSAsyncWASMModule(RELEASE_ASYNC);
        } catch (error) {
          this.created -= 1;
          this.wakeOne();
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Hands a module back; a `broken` one (its WebAssembly state is suspect) is dropped and later replaced. */
  release(module: QuickJSAsyncWASMModule, broken: boolean): void {
    if (broken || this.disposed) this.created -= 1;
    else this.idle.push(module);
    this.wakeOne();
  }

  dispose(): void {
    this.disposed = true;
    this.idle.length = 0;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }
}
