// How logged values are classified and flattened, the same way for every reader and writer.

export type Classified =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'unsupported'; readonly what: string };

export function classify(value: unknown): Classified {
  switch (typeof value) {
    case 'number': return { kind: 'number', value };
    case 'boolean': return { kind: 'boolean', value };
    case 'string': return { kind: 'string', value };
    case 'object':
      if (value === null) return { kind: 'null' };
      return { kind: 'unsupported', what: Array.isArray(value) ? 'an array' : 'an object' };
    default:
      return { kind: 'unsupported', what: typeof value };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Calls `each` for every leaf of `data`, nested objects flattened to dotted keys. Own enumerable keys
 * only, so hostile keys such as "__proto__" are ordinary names.
 */
export function forEachLeaf(data: Record<string, unknown>, each: (key: string, value: unknown) => void, prefix = '', depth = 0): void {
  for (const key of Object.keys(data)) {
    const value = data[key];
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value) && depth < 32) forEachLeaf(value, each, name, depth + 1);
    else each(name, value);
  }
}

/** Merges `update` over `base` (top-level keys win), into a fresh null-prototype-safe object. */
export function mergeConfig(base: Record<string, unknown>, update: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base)) define(out, key, base[key]);
  if (update) for (const key of Object.keys(update)) define(out, key, update[key]);
  return out;
}

/** Sets a key as plain data, even "__proto__". */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Records nested deeper than this are refused: no config or metric dict needs more, and deeper ones
 * would exhaust the stack of any recursive reader. */
export const MAX_RECORD_NESTING = 100;

/** True when objects and arrays in `value` nest more than `limit` levels deep. Iterative, so any depth is safe. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
