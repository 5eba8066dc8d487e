// The run id rule, spelled once: the core (src/core/runSpec.ts re-exports it) and the webview's message
// validation (src/shared/protocol.ts) both check ids with it. Imports nothing, as src/shared must.

/** A run id: letters, digits, '_' and '-', 1 to 64 characters (W&B's run id alphabet). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
