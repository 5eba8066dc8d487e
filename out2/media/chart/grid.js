"use strict";
// Which metric keys get a chart: the filter box (substring, or /regex/flags like W&B and TensorBoard)
// and the sections keys are grouped into by their `prefix/`.
Object.defineProperty(exports, "__esModule", { value: true });
exports.filterKeys = filterKeys;
exports.sectionsOf = sectionsOf;
function filterKeys(keys, filter) {
    const text = filter.trim();
    if (!text)
        return { keys, error: '' };
    const m = /^\/(.*)\/([dgimsuy]*)$/.exec(text);
    if (m) {
        try {
            const re = new RegExp(m[1], m[2].replace('g', '').replace('y', ''));
            return { keys: keys.filter((k) => re.test(k)), error: '' };
        }
        catch (e) {
            return { keys, error: e instanceof Error ? e.message : 'invalid regular expression' };
        }
    }
    const lower = text.toLowerCase();
    return { keys: keys.filter((k) => k.toLowerCase().includes(lower)), error: '' };
}
/** Sections by the part before the first '/', in key order; keys without one go to "Charts" first. */
function sectionsOf(keys) {
    const byName = new Map();
    byName.set('Charts', []);
    for (const key of [...keys].sort((a, b) => a.localeCompare(b))) {
        const slash = key.indexOf('/');
        const name = slash > 0 ? key.slice(0, slash) : 'Charts';
        const list = byName.get(name) ?? [];
        list.push(key);
        byName.set(name, list);
    }
    return [...byName].filter(([, list]) => list.length > 0).map(([name, list]) => ({ name, keys: list }));
}
//# sourceMappingURL=grid.js.map