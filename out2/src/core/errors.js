"use strict";
// Errors the core raises for bad input. Each carries a stable code so the extension, the command line
// and the worker boundary can tell them apart without parsing messages.
Object.defineProperty(exports, "__esModule", { value: true });
exports.RunRewindError = void 0;
exports.serializeError = serializeError;
exports.deserializeError = deserializeError;
class RunRewindError extends Error {
    code;
    name = 'RunRewindError';
    constructor(code, message) {
        super(message);
        this.code = code;
    }
}
exports.RunRewindError = RunRewindError;
function serializeError(error) {
    if (error instanceof RunRewindError)
        return { code: error.code, message: error.message };
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { code: 'internal', message };
}
function deserializeError(error) {
    return new RunRewindError(error.code, error.message);
}
//# sourceMappingURL=errors.js.map