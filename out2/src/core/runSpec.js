"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_NAME_LENGTH = exports.VERSION_ID_PATTERN = exports.RUN_ID_PATTERN = void 0;
exports.parseRunSpec = parseRunSpec;
exports.parseStep = parseStep;
exports.formatRunSpec = formatRunSpec;
exports.validateRunId = validateRunId;
exports.recordName = recordName;
exports.validRunName = validRunName;
// Parses and validates the run spec strings used by rewind and fork: "<run>?_step=<N>".
const errors_1 = require("./errors");
exports.RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Version ids: 'v' followed by lowercase base-36 characters (see protocol.ts). */
exports.VERSION_ID_PATTERN = /^v[a-z0-9]{6,32}$/;
const EXAMPLE = "'abc123?_step=200'";
/** Parses "<run>?_step=<N>"; anything else is rejected with the expected form. */
function parseRunSpec(spec, option = 'run spec') {
    if (typeof spec !== 'string') {
        throw new errors_1.RunRewindError('bad-spec', `${option} must be a string like ${EXAMPLE}, got ${describe(spec)}`);
    }
    const q = spec.indexOf('?');
    if (q <= 0) {
        throw new errors_1.RunRewindError('bad-spec', `${option} ${JSON.stringify(spec)} must name a run and a step, like ${EXAMPLE}`);
    }
    const target = spec.slice(0, q);
    const query = spec.slice(q + 1);
    if (!exports.RUN_ID_PATTERN.test(target)) {
        throw new errors_1.RunRewindError('bad-spec', `${option} ${JSON.stringify(spec)}: ${JSON.stringify(target)} is not a run id (letters, digits, '_' and '-', 1 to 64 characters); expected a form like ${EXAMPLE}`);
    }
    const eq = query.indexOf('=');
    const name = eq < 0 ? query : query.slice(0, eq);
    if (name !== '_step' || eq < 0) {
        throw new errors_1.RunRewindError('bad-spec', `${option} ${JSON.stringify(spec)}: only '_step' is accepted after '?', like ${EXAMPLE}`);
    }
    const step = parseStep(query.slice(eq + 1), `${option} ${JSON.stringify(spec)}`);
    return { target, step };
}
/** Parses a non-negative integer step from user text. */
function parseStep(text, what = 'step') {
    const trimmed = text.trim();
    if (!/^\d+$/.test(trimmed)) {
        throw new errors_1.RunRewindError('bad-step', `${what}: the step must be a non-negative integer, got ${JSON.stringify(text)}`);
    }
    const step = Number(trimmed);
    if (!Number.isSafeInteger(step)) {
        throw new errors_1.RunRewindError('bad-step', `${what}: the step ${trimmed} is too large`);
    }
    return step;
}
function formatRunSpec(target, step) {
    return `${target}?_step=${step}`;
}
function validateRunId(id, what = 'run id') {
    if (typeof id !== 'string' || !exports.RUN_ID_PATTERN.test(id)) {
        throw new errors_1.RunRewindError('bad-id', `${what} ${describe(id)} is not valid: use letters, digits, '_' and '-', 1 to 64 characters`);
    }
    return id;
}
function describe(value) {
    if (typeof value === 'string')
        return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    return value === undefined ? 'nothing' : typeof value;
}
/** The longest display name (or project name) a run may have, in characters. */
exports.MAX_NAME_LENGTH = 1000;
/** A name as records carry it: trimmed, 1 to MAX_NAME_LENGTH characters; undefined when it is not one. */
function recordName(value) {
    if (typeof value !== 'string')
        return undefined;
    const trimmed = value.trim();
    return trimmed.length > 0 && trimmed.length <= exports.MAX_NAME_LENGTH ? trimmed : undefined;
}
/** A name given by a user: trimmed, or a clear error. */
function validRunName(name) {
    const trimmed = recordName(name);
    if (trimmed === undefined)
        throw new errors_1.RunRewindError('bad-argument', `A run name must be 1 to ${exports.MAX_NAME_LENGTH} characters.`);
    return trimmed;
}
//# sourceMappingURL=runSpec.js.map