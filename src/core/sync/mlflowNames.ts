// What an MLflow tracking server accepts (mlflow/utils/validation.py of mlflow 3.17) and how the sync
// fits Run Rewind's keys and values into it: config flattened to params, names MLflow refuses renamed,
// values longer than its limits split or truncated.

/** mlflow/utils/validation.py: MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH, MAX_ENTITIES_PER_BATCH. */
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
/** MAX_BATCH_LOG_REQUEST_SIZE (bytes of the request body); the sync stays well under it. */
export const MAX_BATCH_REQUEST_BYTES = 1_000_000;
/** MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH, MAX_ENTITY_KEY_LENGTH: counted in characters (code points). */
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 8000;
export const MAX_KEY_LENGTH = 250;
/** MAX_EXPERIMENT_NAME_LENGTH. */
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
/** A config value longer than this many params is truncated (it would be 120,000 characters). */
export const MAX_PARAM_PARTS = 20;

/** validate_param_and_metric_name on Linux: Python's `\w` (letters and digits of any script, `_`), `/ . - space :`. */
const VALID_NAME = /^[\p{L}\p{N}_/.\- :]*$/u;
const INVALID_CHAR = /[^\p{L}\p{N}_/.\- :]/gu;

function codePoints(text: string): string[] {
  return [...text];
}

/** Length as MLflow (Python) counts it. */
export function mlflowLength(text: string): number {
  return codePoints(text).length;
}

/** The first `n` characters as Python slices them (never half a surrogate pair). */
export function mlflowSlice(text: string, from: number, to?: number): string {
  return codePoints(text).slice(from, to).join('');
}

/**
 * Whether MLflow accepts `name` as a metric or param key: its characters, and path_not_unique (a name is
 * a path in file stores: no leading `/`, no empty, `.` or `..` segment, no trailing `/`), and its length.
 */
export function validMlflowKey(name: string): boolean {
  if (name === '' || !VALID_NAME.test(name) || mlflowLength(name) > MAX_KEY_LENGTH) return false;
  return !name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
}

/** A key MLflow accepts, as close to `name` as can be: refused characters become `_`, bad path segments `_`. */
export function mlflowKey(name: string): string {
  if (validMlflowKey(name)) return name;
  let key = name.replace(INVALID_CHAR, '_').split('/').map((s) => (s === '' || s === '.' || s === '..' ? '_'.repeat(Math.max(1, s.length)) : s)).join('/');
  if (mlflowLength(key) > MAX_KEY_LENGTH) {
    // Cut, and keep the names of two long keys apart with a digest of the whole name.
    key = `${mlflowSlice(key, 0, MAX_KEY_LENGTH - 9)}~${fnv1a(name)}`.replace(INVALID_CHAR, '_');
  }
  return key;
}

/** 8 hex digits of FNV-1a over the UTF-16 code units: stable, short, enough to tell two cut keys apart. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Maps local keys to MLflow keys one to one: a renamed key that meets another key gets `_2`, `_3`, …
 * `renamed` lists what changed (recorded in a tag so nothing is silently lost).
 */
export class KeyMap {
  readonly renamed: Record<string, string> = {};
  private readonly taken = new Map<string, string>();
  private readonly byLocal = new Map<string, string>();

  constructor(reserved: Iterable<string> = []) {
    for (const key of reserved) this.taken.set(key, key);
  }

  key(local: string): string {
    const known = this.byLocal.get(local);
    if (known !== undefined) return known;
    let key = mlflowKey(local);
    for (let n = 2; this.taken.has(key) && this.taken.get(key) !== local; n++) key = mlflowKey(`${mlflowSlice(mlflowKey(local), 0, MAX_KEY_LENGTH - 6)}_${n}`);
    this.taken.set(key, local);
    this.byLocal.set(local, key);
    if (key !== local) this.renamed[local] = key;
    return key;
  }
}

/**
 * A run's config as MLflow params: nested objects flattened to dotted keys (`optimizer.lr`), strings as
 * they are, every other value as JSON (`0.001`, `true`, `[1, 2]`, `null`).
 */
export function flattenConfig(config: Record<string, unknown>, prefix = '', out: Array<[string, string]> = []): Array<[string, string]> {
  for (const [k, v] of Object.entries(config)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) flattenConfig(v as Record<string, unknown>, key, out);
    else out.push([key, typeof v === 'string' ? v : jsonText(v)]);
  }
  return out;
}

/** JSON, with NaN and the infinities as Python writes them (JSON.stringify would write null). */
function jsonText(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${String(v)}` : v));
  return text === undefined ? String(value) : text.replace(/"\\u0000(NaN|Infinity|-Infinity)"/g, '$1');
}

export interface ParamPlan {
  readonly params: Array<[string, string]>;
  /** Config keys whose value was split over several params: key → number of params. */
  readonly split: Record<string, number>;
  /** Config keys whose value was cut (longer than MAX_PARAM_PARTS params). */
  readonly truncated: string[];
  readonly keys: KeyMap;
}

/**
 * The params of a config: each flattened key under an MLflow key (KeyMap); a value longer than
 * MAX_PARAM_VALUE_LENGTH goes on in `key.part2`, `key.part3`, … (MLflow would refuse it or, with
 * MLFLOW_TRUNCATE_LONG_VALUES, cut it silently).
 */
export function planParams(config: Record<string, unknown>): ParamPlan {
  const flat = flattenConfig(config);
  const keys = new KeyMap();
  for (const [k] of flat) if (validMlflowKey(k)) keys.key(k);
  for (const [k] of flat) keys.key(k);
  const params: Array<[string, string]> = [];
  const split: Record<string, number> = {};
  const truncated: string[] = [];
  for (const [local, value] of flat) {
    const key = keys.key(local);
    const chars = codePoints(value);
    if (chars.length <= MAX_PARAM_VALUE_LENGTH) {
      params.push([key, value]);
      continue;
    }
    let parts = Math.ceil(chars.length / MAX_PARAM_VALUE_LENGTH);
    if (parts > MAX_PARAM_PARTS) {
      parts = MAX_PARAM_PARTS;
      truncated.push(local);
    }
    split[local] = parts;
    for (let i = 0; i < parts; i++) {
      const partKey = i === 0 ? key : keys.key(`${local}.part${i + 1}`);
      params.push([partKey, chars.slice(i * MAX_PARAM_VALUE_LENGTH, (i + 1) * MAX_PARAM_VALUE_LENGTH).join('')]);
    }
  }
  return { params, split, truncated, keys };
}

/** A tag value MLflow keeps whole: longer values are cut, ending in `…`. */
export function tagValue(value: string): string {
  return mlflowLength(value) <= MAX_TAG_VALUE_LENGTH ? value : `${mlflowSlice(value, 0, MAX_TAG_VALUE_LENGTH - 1)}…`;
}

/** A metric value on the wire: protobuf JSON spells the non-finite doubles as strings. */
export function wireValue(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}
