// Requests and their replies over a channel that carries only one-way messages (a webview's postMessage
// either way): each request gets a fresh id, the reply carries it back, and the promise of the request
// settles with the reply. Used by the chart panel's host side (it asks its webview for a PNG, the line
// requests of an export, a snapshot) and by the webview (it asks the host for a chart's points).
// Imports nothing, so both sides bundle it.

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
