// Which metric keys get a chart: the filter box (substring, or /regex/flags like W&B and TensorBoard)
// and the sections keys are grouped into by their `prefix/`, in the store's natural key order.
import { compareKeys } from '../../src/shared/keys';

export interface FilterResult {
  readonly keys: readonly string[];
  /** Why the filter could not be used (an invalid regex); every key is shown then. */
  readonly error: string;
}

export function filterKeys(keys: readonly string[], filter: string): FilterResult {
  const text = filter.trim();
  if (!text) return { keys, error: '' };
  const m = /^\/(.*)\/([dgimsuy]*)$/.exec(text);
  if (m) {
    try {
      const re = new RegExp(m[1], m[2].replace('g', '').replace('y', ''));
      return { keys: keys.filter((k) => re.test(k)), error: '' };
    } catch (e) {
      return { keys, error: e instanceof Error ? e.message : 'invalid regular expression' };
    }
  }
  const lower = text.toLowerCase();
  return { keys: keys.filter((k) => k.toLowerCase().includes(lower)), error: '' };
}

export interface Section {
  readonly name: string;
  readonly keys: readonly string[];
}

/** Sections by the part before the first '/', in key order; keys without one go to "Charts" first. */
export function sectionsOf(keys: readonly string[]): Section[] {
  const byName = new Map<string, string[]>();
  byName.set('Charts', []);
  for (const key of [...keys].sort(compareKeys)) {
    const slash = key.indexOf('/');
    const name = slash > 0 ? key.slice(0, slash) : 'Charts';
    const list = byName.get(name) ?? [];
    list.push(key);
    byName.set(name, list);
  }
  return [...byName].filter(([, list]) => list.length > 0).map(([name, list]) => ({ name, keys: list }));
}
