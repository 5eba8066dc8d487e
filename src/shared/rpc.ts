// Requests and their replies over a channel that carries only one-way messages (a webview's postMessage
// either way, a worker port): each request gets a fresh id, the reply carries it back, and the promise of
// the request settles with the reply (PendingReplies). Used by the chart panel's host side (it asks its
// webview for a PNG, the line requests of an export, a snapshot), by the webview (it asks the host for a
// chart's points) and by StoreClient (it calls the store worker). Imports nothing, so every side bundles it.
//
// Method calls on top, for a channel that serves an interface (the store worker serves StoreApi): a
// MethodCall<Api, M> carries exactly the parameters of method M, the serving side answers from a
// Handlers<Api> table with one handler per method typed by the same interface (a missing one does not
// compile), and `invoke` runs a call with its handler, so neither side casts arguments by position.
//
//   asking side                                           serving side
//   const replies = new PendingReplies();                 const handlers: Handlers<Api> = { listRuns: () => …, … };
//   const runs = await replies.request<RunInfo[]>(        port.on('message', (call: MethodCall<Api>) =>
//     (id) => port.postMessage(methodCall<Api, 'listRuns'>(id, 'listRuns', [])));   invoke(handlers, call).then(
//   port.on('message', (m) => replies.settle(m.id, m.result));                   (result) => port.postMessage({ id: call.id, result })));
//   the channel closed: replies.rejectAll(new Error('closed'));

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface PendingRepliesOptions {
  /** Rejects a request that got no reply after this many milliseconds; omitted or 0: waits for ever. */
  readonly timeoutMs?: number;
  /** The message of that rejection. */
  readonly timeoutMessage?: string;
}

export class PendingReplies {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  constructor(private readonly options: PendingRepliesOptions = {}) {}

  /**
   * Sends a request (`send` posts it with the id it is given) and resolves with what `settle` receives
   * for that id. The caller names the reply's type: the channel carries untyped messages.
   */
  request<T>(send: (id: number) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = this.options.timeoutMs ?? 0;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.waiting.delete(id);
              reject(new Error(this.options.timeoutMessage ?? 'no reply'));
            }, timeoutMs)
          : undefined;
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        send(id);
      } catch (error) {
        this.reject(id, error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Settles request `id` with its reply; false when no request is waiting under that id (late, or not ours). */
  settle(id: number, value: unknown): boolean {
    const waiter = this.take(id);
    waiter?.resolve(value);
    return waiter !== undefined;
  }

  reject(id: number, error: Error): boolean {
    const waiter = this.take(id);
    waiter?.reject(error);
    return waiter !== undefined;
  }

  /** Rejects every request still waiting: the other side went away. */
  rejectAll(error: Error): void {
    for (const id of [...this.waiting.keys()]) this.reject(id, error);
  }

  /** How many requests wait for their reply. */
  get size(): number {
    return this.waiting.size;
  }

  private take(id: number): Waiter | undefined {
    const waiter = this.waiting.get(id);
    if (!waiter) return undefined;
    this.waiting.delete(id);
    clearTimeout(waiter.timer);
    return waiter;
  }
}

// ---------------------------------------------------------------------------------------------------
// Typed method calls

type AnyMethod = (...args: never[]) => unknown;
/** A method's parameters, and its result once awaited. */
export type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;
export type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** Method names of `Api` (its function-valued keys). */
export type MethodName<Api> = { [K in keyof Api]: Api[K] extends AnyMethod ? K : never }[keyof Api] & string;

/** A call of method `M` of `Api` as posted: the request id, the method, and exactly its parameters. */
export interface MethodCall<Api, M extends MethodName<Api> = MethodName<Api>> {
  readonly id: number;
  readonly method: M;
  readonly args: ArgsOf<Api[M]>;
}

/** One handler per method of `Api`, each taking that method's parameters; results may be promises. */
export type Handlers<Api> = {
  readonly [M in MethodName<Api>]: (...args: ArgsOf<Api[M]>) => ResultOf<Api[M]> | Promise<ResultOf<Api[M]>>;
};

/** Builds a call of `method` with its own parameters (the compiler checks them against `Api`). */
export function methodCall<Api, M extends MethodName<Api>>(id: number, method: M, args: ArgsOf<Api[M]>): MethodCall<Api, M> {
  return { id, method, args };
}

/**
 * Runs `call` with its handler. The one place where a call's arguments meet its handler: Handlers ties
 * each handler to its method's parameters, and a MethodCall is built with exactly those.
 */
export async function invoke<Api>(handlers: Handlers<Api>, call: MethodCall<Api>): Promise<unknown> {
  const handler = handlers[call.method] as ((...args: unknown[]) => unknown) | undefined;
  if (typeof handler !== 'function') throw new Error(`unknown method ${JSON.stringify(call.method)}`);
  return handler(...(call.args as unknown[]));
}
