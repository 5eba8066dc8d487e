"use strict";
// How logged values are classified and flattened, the same way for every reader and writer.
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_RECORD_NESTING = void 0;
exports.classify = classify;
exports.isPlainObject = isPlainObject;
exports.forEachLeaf = forEachLeaf;
exports.mergeConfig = mergeConfig;
exports.define = define;
exports.nestedDeeperThan = nestedDeeperThan;
function classify(value) {
    switch (typeof value) {
        case 'number': return { kind: 'number', value };
        case 'boolean': return { kind: 'boolean', value };
        case 'string': return { kind: 'string', value };
        case 'object':
            if (value === null)
                return { kind: 'null' };
            return { kind: 'unsupported', what: Array.isArray(value) ? 'an array' : 'an object' };
        default:
            return { kind: 'unsupported', what: typeof value };
    }
}
function isPlainObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * Calls `each` for every leaf of `data`, nested objects flattened to dotted keys. Own enumerable keys
 * only, so hostile keys such as "__proto__" are ordinary names.
 */
function forEachLeaf(data, each, prefix = '', depth = 0) {
    for (const key of Object.keys(data)) {
        const value = data[key];
        const name = prefix === '' ? key : `${prefix}.${key}`;
        if (isPlainObject(value) && depth < 32)
            forEachLeaf(value, each, name, depth + 1);
        else
            each(name, value);
    }
}
/** Merges `update` over `base` (top-level keys win), into a fresh null-prototype-safe object. */
function mergeConfig(base, update) {
    const out = {};
    for (const key of Object.keys(base))
        define(out, key, base[key]);
    if (update)
        for (const key of Object.keys(update))
            define(out, key, update[key]);
    return out;
}
/** Sets a key as plain data, even "__proto__". */
function define(target, key, value) {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
/** Records nested deeper than this are refused: no config or metric dict needs more, and deeper ones
 * would exhaust the stack of any recursive reader. */
exports.MAX_RECORD_NESTING = 100;
/** True when objects and arrays in `value` nest more than `limit` levels deep. Iterative, so any depth is safe. */
function nestedDeeperThan(value, limit) {
    const stack = [[value, 0]];
    while (stack.length > 0) {
        const [item, depth] = stack.pop();
        if (typeof item !== 'object' || item === null)
            continue;
        if (depth >= limit)
            return true;
        for (const child of Array.isArray(item) ? item : Object.values(item)) {
            if (typeof child === 'object' && child !== null)
                stack.push([child, depth + 1]);
        }
    }
    return false;
}
//# sourceMappingURL=values.js.map