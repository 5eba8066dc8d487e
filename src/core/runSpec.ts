// The id, name and step rules of Run Rewind, spelled once (records, the engine, lineage and the UI all
// use these), and the run spec strings of rewind and fork built on them: "<run>?_step=<N>".
// python/runrewind/_ids.py spells the same rules for the Python client.
import { RunRewindError } from './errors';

/** Run ids: letters, digits, '_' and '-', 1 to 64 characters (W&B's ids fit). */
import { RUN_ID_PATTERN } from '../shared/runIds';

export { RUN_ID_PATTERN };
/** Version ids as Run Rewind makes them: 'v' followed by lowercase base-36 characters (see protocol.ts). */
export const VERSION_ID_PATTERN = /^v[a-z0-9]{6,32}$/;
/**
 * Version ids as readers accept them in records: any run-id-like string. Laxer than VERSION_ID_PATTERN
 * on purpose, so logs written by another writer (or by hand) still read; only LogWriter holds itself to
 * the strict form.
 */
export const RECORD_VERSION_ID_PATTERN = RUN_ID_PATTERN;

/** A step: a non-negative safe integer. Steps of one version strictly increase. */
export function isStep(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export interface RunSpec {
  /** A run id or an immutable version id. */
  readonly target: string;
  readonly step: number;
}

const EXAMPLE = "'abc123?_step=200'";

/** Parses "<run>?_step=<N>"; anything else is rejected with the expected form. */
export function parseRunSpec(spec: unknown, option = 'run spec'): RunSpec {
  if (typeof spec !== 'string') {
    throw new RunRewindError('bad-spec', `${option} must be a string like ${EXAMPLE}, got ${describe(spec)}`);
  }
  const q = spec.indexOf('?');
  if (q <= 0) {
    throw new RunRewindError('bad-spec', `${option} ${JSON.stringify(spec)} must name a run and a step, like ${EXAMPLE}`);
  }
  const target = spec.slice(0, q);
  const query = spec.slice(q + 1);
  if (!RUN_ID_PATTERN.test(target)) {
    throw new RunRewindError('bad-spec', `${option} ${JSON.stringify(spec)}: ${JSON.stringify(target)} is not a run id (letters, digits, '_' and '-', 1 to 64 characters); expected a form like ${EXAMPLE}`);
  }
  const eq = query.indexOf('=');
  const name = eq < 0 ? query : query.slice(0, eq);
  if (name !== '_step' || eq < 0) {
    throw new RunRewindError('bad-spec', `${option} ${JSON.stringify(spec)}: only '_step' is accepted after '?', like ${EXAMPLE}`);
  }
  const step = parseStep(query.slice(eq + 1), `${option} ${JSON.stringify(spec)}`);
  return { target, step };
}

/** Parses a non-negative integer step from user text. */
export function parseStep(text: string, what = 'step'): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw new RunRewindError('bad-step', `${what}: the step must be a non-negative integer, got ${JSON.stringify(text)}`);
  }
  const step = Number(trimmed);
  if (!Number.isSafeInteger(step)) {
    throw new RunRewindError('bad-step', `${what}: the step ${trimmed} is too large`);
  }
  return step;
}

export function formatRunSpec(target: string, step: number): string {
  return `${target}?_step=${step}`;
}

export function validateRunId(id: unknown, what = 'run id'): string {
  if (typeof id !== 'string' || !RUN_ID_PATTERN.test(id)) {
    throw new RunRewindError('bad-id', `${what} ${describe(id)} is not valid: use letters, digits, '_' and '-', 1 to 64 characters`);
  }
  return id;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return value === undefined ? 'nothing' : typeof value;
}

/** The longest display name (or project name) a run may have, in characters. */
export const MAX_NAME_LENGTH = 1000;

/** A name as records carry it: trimmed, 1 to MAX_NAME_LENGTH characters; undefined when it is not one. */
export function recordName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= MAX_NAME_LENGTH ? trimmed : undefined;
}

/** Most tags a run keeps, and the longest tag and notes an edit record carries. */
export const MAX_TAGS = 256;
export const MAX_TAG_LENGTH = 256;
export const MAX_NOTES_LENGTH = 100_000;

/**
 * Tags as a user typed them or a record carries them: trimmed, empty ones dropped, each once, in order;
 * or why they cannot be tags.
 */
export function editTags(value: unknown): { tags: string[] } | { problem: string } {
  if (!Array.isArray(value)) return { problem: '"tags" must be a list of strings' };
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') return { problem: '"tags" must be a list of strings' };
    const tag = item.trim();
    if (tag.length > MAX_TAG_LENGTH) return { problem: `a tag must be at most ${MAX_TAG_LENGTH} characters` };
    if (tag !== '' && !out.includes(tag)) out.push(tag);
  }
  if (out.length > MAX_TAGS) return { problem: `a run keeps at most ${MAX_TAGS} tags` };
  return { tags: out };
}

/** A name given by a user: trimmed, or a clear error. */
export function validRunName(name: string): string {
  const trimmed = recordName(name);
  if (trimmed === undefined) throw new RunRewindError('bad-argument', `A run name must be 1 to ${MAX_NAME_LENGTH} characters.`);
  return trimmed;
}
