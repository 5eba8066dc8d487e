// Counts the log reader's file system calls (src/core/logFs.ts) while some work runs, and can slow each
// by a delay, as a network file system would: shared by test/unit/listing.test.ts and bench/sharedDir.ts.
import { logFs } from '../../src/core/logFs';

export interface CountedCalls<T> {
  readonly result: T;
  readonly ops: number;
  readonly byCall: Record<string, number>;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `work` with every reader call counted and, with `delayMs`, delayed by that much; restores the calls after. */
export function countLogFs<T>(work: () => T, delayMs = 0): CountedCalls<T> {
  const saved = { ...logFs };
  const byCall: Record<string, number> = {};
  let ops = 0;
  for (const key of Object.keys(saved) as Array<keyof typeof logFs>) {
    const real = saved[key] as (...args: unknown[]) => unknown;
    (logFs as Record<string, unknown>)[key] = (...args: unknown[]): unknown => {
      ops++;
      byCall[key] = (byCall[key] ?? 0) + 1;
      if (delayMs > 0) Atomics.wait(sleeper, 0, 0, delayMs);
      return real(...args);
    };
  }
  try {
    return { result: work(), ops, byCall };
  } finally {
    Object.assign(logFs, saved);
  }
}
