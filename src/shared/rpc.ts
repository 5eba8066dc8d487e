// Request/reply over a postMessage-style channel (a worker port, a webview): the asking side numbers each
// request and keeps its promise in a PendingRequests; the answering side sends a reply naming that number;
// the asking side's message handler settles it. Typed method calls on top: a MethodCall<Api> names a
// method of an interface with that method's own parameter types, and `invoke` runs it from a Handlers<Api>
// table typed by the same interface (a missing method does not compile), so neither side casts arguments
// by position. No imports: the extension host, the store worker and the webviews all use it.
//
//   asking side                                        answering side
//   const pending = new PendingRequests();             const handlers: Handlers<Api> = { listRuns: () => …, … };
//   const png = await pending.request<string>(         channel.onMessage((m) => {
//     (id) => post({ type: 'png', requestId: id }),       if (m.type === 'png') post({ type: 'pngDone', inReplyTo: m.requestId, … });
//     { timeoutMs: 10_000, what: 'the chart' });       });
//   channel.onMessage((m) => {                          // or, for method calls:
//     if (m.type === 'pngDone') pending.resolve(m.inReplyTo, m.dataUrl);   invoke(handlers, call).then((result) => post(…));
//   });
//   on close: pending.close(new Error('closed'));

/** A method's parameters and its result (awaited), for any interface of methods. */
type Method = (...args: never[]) => unknown;
export type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;
export type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** Method names of `Api` (its function-valued keys). */
export type MethodName<Api> = { [K in keyof Api]: Api[K] extends Method ? K : never }[keyof Api] & string;

/** A call of method `M` of `Api`, as posted: its number, its name, and exactly its parameters. */
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
 * Runs `call` with its handler. The one place where a call's arguments meet its handler: `Handlers`
 * ties each method's handler to that method's parameters, and a MethodCall can only be built with them.
 */
export async function invoke<Api>(handlers: Handlers<Api>, call: MethodCall<Api>): Promise<unknown> {
  const handler = handlers[call.method] as (...args: unknown[]) => unknown;
  if (typeof handler !== 'function') throw new Error(`unknown method ${JSON.stringify(call.method)}`);
  return handler(...(call.args as unknown[]));
}

export interface RequestOptions {
  /** Rejects the request when no reply came in this many milliseconds (default: waits for ever). */
  readonly timeoutMs?: number;
  /** Names the other side in the timeout's message: "<what> did not answer". */
  readonly what?: string;
}

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout> | undefined;
}

/** The requests one side has sent and not had answered yet. */
export class PendingRequests {
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private closed: Error | undefined;

  /**
   * Sends a request: `send` posts it with the number the reply must name. The promise settles when
   * resolve/reject is called with that number, on timeout, or on rejectAll. `T` is what the reply
   * carries; the channel's own message types are where the two sides agree on it.
   */
  request<T>(send: (id: number) => void, options: RequestOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
        if (this.waiters.delete(id)) reject(new Error(`${options.what ?? 'the other side'} did not answer`));
      }, options.timeoutMs);
      this.waiters.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        send(id);
      } catch (error) {
        this.settle(id)?.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Settles request `id` with its reply; false when it is not pending (answered, timed out, unknown). */
  resolve(id: number, value: unknown): boolean {
    const waiter = this.settle(id);
    waiter?.resolve(value);
    return waiter !== undefined;
  }

  reject(id: number, error: Error): boolean {
    const waiter = this.settle(id);
    waiter?.reject(error);
    return waiter !== undefined;
  }

  /** Rejects every pending request with `error` (the other side started over, say). */
  rejectAll(error: Error): void {
    for (const id of [...this.waiters.keys()]) this.reject(id, error);
  }

  /** The channel closed: rejects every pending request, and every later one, with `error`. */
  close(error: Error): void {
    this.closed ??= error;
    this.rejectAll(error);
  }

  /** Requests sent and not answered yet. */
  get size(): number {
    return this.waiters.size;
  }

  private settle(id: number): Waiter | undefined {
    const waiter = this.waiters.get(id);
    if (!waiter) return undefined;
    this.waiters.delete(id);
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    return waiter;
  }
}
