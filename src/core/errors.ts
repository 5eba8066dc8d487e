// Errors the core raises for bad input. Each carries a stable code so the extension, the command line
// and the worker boundary can tell them apart without parsing messages.

export type ErrorCode =
  | 'bad-spec'
  | 'bad-step'
  | 'bad-id'
  | 'bad-argument'
  | 'unknown-run'
  | 'unknown-version'
  | 'step-out-of-range'
  | 'no-history'
  | 'run-running'
  | 'id-conflict'
  | 'conflicting-options'
  | 'locked'
  | 'lost-race'
  | 'nothing-to-rewind'
  | 'io'
  | 'internal';

export class RunRewindError extends Error {
  override readonly name = 'RunRewindError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The plain shape an error takes when it crosses a thread boundary. */
export interface SerializedError {
  readonly code: ErrorCode;
  readonly message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof RunRewindError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { code: 'internal', message };
}

export function deserializeError(error: SerializedError): RunRewindError {
  return new RunRewindError(error.code, error.message);
}
