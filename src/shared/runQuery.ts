// The runs query language: filters runs table rows with MLflow's `search_runs` syntax and ours.
//
//   config.lr > 0.001 and summary.loss.min < 0.2 and tags has "baseline" and state = finished
//   params.lr = '0.001' and metrics.val_loss < 0.3 and attributes.status = 'FINISHED'
//   (name like 'sweep-%' or group = "a") and not summary."val/acc".max >= 0.9 and duration > 10m
//
// Fields: `config.KEY` (or MLflow's `params.KEY`), `summary.KEY` (or `metrics.KEY`) with an optional
// `.last` / `.min` / `.max`, and the attributes of runFields.ts (optionally `attributes.` before them).
// A key with spaces or odd characters is quoted after its dot: config."batch size", summary.`a b`.max.
// Operators: = == != <> < <= > >=, like / ilike ('%' any text, '_' one character), has / contains
// (a tag, or a substring), in (…), not in (…), is null, is not null; and / or / not and parentheses.
// Values: numbers (a duration may end in s, m, h or d), 'text' or "text", true, false, and bare words
// (state = finished). Text compares naturally (run9 < run10); a number against a config value that is
// text compares as a number when the text is one (MLflow keeps params as text). A row without the field
// matches no comparison (only `is null`). Every error names what was wrong and the column where it is.
import { ATTRIBUTE_ALIASES, type FieldRef, type FieldValue, type RunsTableRow, type SummaryStat, compareValues, fieldValue } from './runFields';
import { compareKeys } from './keys';

export class QueryError extends Error {
  constructor(
    message: string,
    /** Offsets in the query (0-based, end exclusive) of what the message is about. */
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

/** Keys the rows have, so a misspelt one is an error (with a suggestion), not a filter that matches nothing. */
export interface QueryKeys {
  readonly configKeys: readonly string[];
  readonly summaryKeys: readonly string[];
}

export interface RunQuery {
  readonly text: string;
  matches(row: RunsTableRow): boolean;
  /** The same test with each field's value given (the store reads only the cells a query names). */
  matchesFields(value: (field: FieldRef) => FieldValue): boolean;
  /** The fields the query reads, in order. */
  readonly fields: readonly FieldRef[];
}

/** Parses a query; an empty one matches every row. Throws QueryError. */
export function parseQuery(text: string, keys?: QueryKeys): RunQuery {
  const parser = new Parser(text, tokenize(text), keys);
  if (parser.atEnd()) return { text, matches: () => true, matchesFields: () => true, fields: [] };
  const expr = parser.parseOr();
  parser.expectEnd();
  return { text, matches: (row) => evaluate(expr, (field) => fieldValue(row, field)), matchesFields: (value) => evaluate(expr, value), fields: parser.fields };
}

// ---- tokens ----------------------------------------------------------------------------------------

type TokenKind = 'word' | 'number' | 'string' | 'quotedName' | 'op' | 'dot' | 'lparen' | 'rparen' | 'comma' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Numbers: the value; strings and quoted names: the unquoted text. */
  readonly value: string | number;
  readonly start: number;
  readonly end: number;
  /** A number written with a duration unit (s, m, h, d). */
  readonly unit?: string;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function column(offset: number): string {
  return `column ${offset + 1}`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, value: string | number = text.slice(start, end), unit?: string): void => {
    tokens.push({ kind, text: text.slice(start, end), value, start, end, unit });
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      push(c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', i, ++i);
      continue;
    }
    if (c === '.' && !/[0-9]/.test(text[i + 1] ?? '')) {
      push('dot', i, ++i);
      continue;
    }
    const op = /^(==|!=|<>|<=|>=|=|<|>)/.exec(text.slice(i));
    if (op) {
      i += op[0].length;
      push('op', start, i);
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new QueryError(`Unclosed ${c} at ${column(start)}: the quoted text has no closing ${c}.`, start, text.length);
        if (text[i] === c) {
          // A doubled quote inside is one quote, as in SQL.
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += text[i++];
      }
      // A quoted name follows a dot (config."batch size"); anything else quoted is a value.
      const previous = tokens[tokens.length - 1];
      push(c === '`' || previous?.kind === 'dot' ? 'quotedName' : 'string', start, i, value);
      continue;
    }
    const num = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      const unit = /^[smhd](?![\w/-])/.exec(text.slice(i));
      if (unit) i += 1;
      if (/^[A-Za-z_]/.test(text[i] ?? '')) {
        const tail = /^[\w/-]*/.exec(text.slice(i))![0];
        throw new QueryError(`"${text.slice(start, i + tail.length)}" at ${column(start)} is not a number; a duration ends in s, m, h or d, and a key starting with a digit needs quotes.`, start, i + tail.length);
      }
      push('number', start, i, Number(num[0]) * (unit ? UNIT_SECONDS[unit[0]] : 1), unit?.[0]);
      continue;
    }
    const word = /^[A-Za-z_][\w/-]*/.exec(text.slice(i));
    if (word) {
      i += word[0].length;
      push('word', start, i);
      continue;
    }
    throw new QueryError(`Unexpected "${c}" at ${column(i)}.`, i, i + 1);
  }
  tokens.push({ kind: 'end', text: '', value: '', start: text.length, end: text.length });
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'null', 'like', 'ilike', 'has', 'contains', 'true', 'false']);

function isKeyword(token: Token): boolean {
  return token.kind === 'word' && KEYWORDS.has(token.text.toLowerCase());
}

function describeToken(token: Token): string {
  return token.kind === 'end' ? 'the end of the query' : `"${token.text}"`;
}

// ---- syntax tree ----------------------------------------------------------------------------------

type Literal = number | string | boolean | null;

type Expr =
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly expr: Expr }
  | { readonly kind: 'compare'; readonly field: FieldRef; readonly op: CompareOp; readonly value: Literal }
  /** `negated`: not in, which a row without the field does not match either (as SQL's NULL). */
  | { readonly kind: 'in'; readonly field: FieldRef; readonly values: readonly Literal[]; readonly negated: boolean }
  | { readonly kind: 'like'; readonly field: FieldRef; readonly pattern: RegExp }
  | { readonly kind: 'has'; readonly field: FieldRef; readonly value: string }
  | { readonly kind: 'null'; readonly field: FieldRef };

type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

class Parser {
  private at = 0;
  readonly fields: FieldRef[] = [];

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
    private readonly keys: QueryKeys | undefined,
  ) {}

  atEnd(): boolean {
    return this.peek().kind === 'end';
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind === 'rparen') throw new QueryError(`Unmatched ")" at ${column(t.start)}.`, t.start, t.end);
    if (t.kind !== 'end') throw new QueryError(`Expected "and", "or" or the end of the query at ${column(t.start)}, found ${describeToken(t)}.`, t.start, t.end);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.at++;
    return t;
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseUnary();
    while (this.isWord('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isWord('not')) {
      this.next();
      return { kind: 'not', expr: this.parseUnary() };
    }
    const t = this.peek();
    if (t.kind === 'lparen') {
      this.next();
      const expr = this.parseOr();
      const close = this.peek();
      if (close.kind !== 'rparen') throw new QueryError(`Expected ")" to close the "(" at ${column(t.start)}, found ${describeToken(close)} at ${column(close.start)}.`, close.start, Math.max(close.end, close.start + 1));
      this.next();
      return expr;
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const [field, fieldStart, fieldEnd] = this.parseField();
    const t = this.peek();
    if (t.kind === 'op') {
      this.next();
      const op: CompareOp = t.text === '==' ? '=' : t.text === '<>' ? '!=' : (t.text as CompareOp);
      const value = this.parseValue(field, `after "${t.text}"`);
      if (field.kind === 'attr' && field.name === 'tags') {
        if (op !== '=' && op !== '!=') throw new QueryError(`tags are a list: use "tags has 'x'" (or = / != a tag), not "${t.text}", at ${column(t.start)}.`, t.start, t.end);
        const has: Expr = { kind: 'has', field, value: String(value) };
        return op === '=' ? has : { kind: 'not', expr: has };
      }
      return { kind: 'compare', field, op, value };
    }
    if (this.isWord('has') || this.isWord('contains')) {
      this.next();
      const value = this.parseValue(field, `after "${t.text}"`);
      return { kind: 'has', field, value: String(value) };
    }
    if (this.isWord('like') || this.isWord('ilike')) {
      this.next();
      const patternToken = this.peek();
      if (patternToken.kind !== 'string') throw new QueryError(`Expected a quoted pattern after "${t.text}" at ${column(patternToken.start)}, found ${describeToken(patternToken)}.`, patternToken.start, Math.max(patternToken.end, patternToken.start + 1));
      this.next();
      return { kind: 'like', field, pattern: likePattern(String(patternToken.value), t.text.toLowerCase() === 'ilike') };
    }
    if (this.isWord('is')) {
      this.next();
      const negated = this.isWord('not');
      if (negated) this.next();
      const n = this.peek();
      if (!this.isWord('null')) throw new QueryError(`Expected "null" after "is${negated ? ' not' : ''}" at ${column(n.start)}, found ${describeToken(n)}.`, n.start, Math.max(n.end, n.start + 1));
      this.next();
      const isNull: Expr = { kind: 'null', field };
      return negated ? { kind: 'not', expr: isNull } : isNull;
    }
    const negatedIn = this.isWord('not') && this.isWord('in', 1);
    if (this.isWord('in') || negatedIn) {
      if (negatedIn) this.next();
      this.next();
      const open = this.peek();
      if (open.kind !== 'lparen') throw new QueryError(`Expected "(" after "in" at ${column(open.start)}, found ${describeToken(open)}.`, open.start, Math.max(open.end, open.start + 1));
      this.next();
      const values: Literal[] = [this.parseValue(field, 'in the list')];
      while (this.peek().kind === 'comma') {
        this.next();
        values.push(this.parseValue(field, 'after ","'));
      }
      const close = this.peek();
      if (close.kind !== 'rparen') throw new QueryError(`Expected "," or ")" in the list at ${column(close.start)}, found ${describeToken(close)}.`, close.start, Math.max(close.end, close.start + 1));
      this.next();
      const expr: Expr = field.kind === 'attr' && field.name === 'tags'
        ? values.map((v): Expr => ({ kind: 'has', field, value: String(v) })).reduce((a, b) => ({ kind: 'or', left: a, right: b }))
        : { kind: 'in', field, values, negated: negatedIn };
      return negatedIn && expr.kind !== 'in' ? { kind: 'not', expr } : expr;
    }
    const name = this.text.slice(fieldStart, fieldEnd);
    throw new QueryError(`Expected an operator (=, !=, <, <=, >, >=, like, has, in, is null) after ${name} at ${column(t.start)}, found ${describeToken(t)}.`, t.start, Math.max(t.end, t.start + 1));
  }

  /** A field: attribute, config.KEY or summary.KEY[.last|.min|.max]; returns it with its span. */
  private parseField(): [FieldRef, number, number] {
    const first = this.peek();
    if (first.kind !== 'word' || isKeyword(first)) {
      const what = first.kind === 'end' ? 'the end of the query' : describeToken(first);
      throw new QueryError(`Expected a field (name, state, tags, config.KEY, summary.KEY …) at ${column(first.start)}, found ${what}.`, first.start, Math.max(first.end, first.start + 1));
    }
    this.next();
    const parts: string[] = [first.text];
    let end = first.end;
    while (this.peek().kind === 'dot' && this.peek().start === end) {
      const dot = this.next();
      const part = this.peek();
      if ((part.kind !== 'word' && part.kind !== 'quotedName' && part.kind !== 'number') || part.start !== dot.end) {
        throw new QueryError(`Expected a key after "." at ${column(dot.end)}, found ${describeToken(part)}.`, dot.start, Math.max(part.end, dot.end));
      }
      this.next();
      parts.push(part.kind === 'quotedName' ? String(part.value) : part.text);
      end = part.end;
    }
    const field = this.resolveField(parts, first.start, end);
    this.fields.push(field);
    return [field, first.start, end];
  }

  private resolveField(parts: string[], start: number, end: number): FieldRef {
    let head = parts[0].toLowerCase();
    let rest = parts.slice(1);
    if ((head === 'attributes' || head === 'attribute' || head === 'attr' || head === 'run') && rest.length > 0) {
      head = rest[0].toLowerCase();
      rest = rest.slice(1);
    }
    const where = `at ${column(start)}`;
    if (head === 'config' || head === 'params' || head === 'param') {
      if (rest.length === 0) throw new QueryError(`"${parts[0]}" needs a key: config.KEY ${where}.`, start, end);
      const key = rest.join('.');
      if (this.keys && !this.keys.configKeys.includes(key)) throw new QueryError(sentence(`No run has the config key "${key}" (${where})`, suggest(key, this.keys.configKeys)), start, end);
      return { kind: 'config', key };
    }
    if (head === 'summary' || head === 'metrics' || head === 'metric') {
      if (rest.length === 0) throw new QueryError(`"${parts[0]}" needs a key: summary.KEY, summary.KEY.min or summary.KEY.max ${where}.`, start, end);
      const whole = rest.join('.');
      const last = rest[rest.length - 1].toLowerCase();
      const base = rest.slice(0, -1).join('.');
      const known = (k: string): boolean => !this.keys || this.keys.summaryKeys.includes(k);
      // The aggregate of a metric wins over a key of its own named like one (define_metric writes "loss.min",
      // which holds the same value); `summary.loss.min.last` reads that key.
      if (rest.length > 1 && (last === 'min' || last === 'max' || last === 'last') && known(base)) return { kind: 'summary', key: base, stat: last as SummaryStat };
      if (!known(whole)) throw new QueryError(sentence(`No run has the summary metric "${whole}" (${where})`, suggest(whole, this.keys!.summaryKeys)), start, end);
      return { kind: 'summary', key: whole, stat: 'last' };
    }
    if (head === 'tags' && rest.length > 0) throw new QueryError(`Tags here are a list, not key/value pairs: write tags has "${rest.join('.')}" instead of ${parts.join('.')} (${where}).`, start, end);
    const attr = ATTRIBUTE_ALIASES[head];
    if (attr && rest.length === 0) return { kind: 'attr', name: attr };
    const names = ['name', 'state', 'id', 'project', 'group', 'tags', 'notes', 'created', 'duration', 'last_step', 'version'];
    throw new QueryError(sentence(`Unknown field "${parts.join('.')}" ${where}: use config.KEY, summary.KEY (.min, .max) or one of ${names.join(', ')}`, suggest(parts.join('.'), [...names, 'config', 'summary'])), start, end);
  }

  private parseValue(field: FieldRef, where: string): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        if (t.unit && !(field.kind === 'attr' && field.name === 'duration')) throw new QueryError(`A unit ("${t.unit}") only goes with duration, at ${column(t.start)}.`, t.start, t.end);
        return t.value as number;
      case 'string':
        return this.timeValue(field, String(t.value), t);
      case 'word': {
        const lower = t.text.toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
        if (lower === 'null') throw new QueryError(`Use "is null" to find rows without a value, at ${column(t.start)}.`, t.start, t.end);
        if (isKeyword(t)) break;
        // A bare word is text: state = finished, project = mnist.
        return this.timeValue(field, t.text, t);
      }
      default:
    }
    throw new QueryError(`Expected a value ${where} at ${column(t.start)}, found ${describeToken(t)}.`, t.start, Math.max(t.end, t.start + 1));
  }

  /** `created` compares with a date ('2026-11-30', '2026-11-30T12:00'), as unix seconds. */
  private timeValue(field: FieldRef, text: string, t: Token): Literal {
    if (field.kind !== 'attr' || field.name !== 'created') return text;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new QueryError(`"${text}" at ${column(t.start)} is not a date (write 2026-11-30 or 2026-11-30T12:00).`, t.start, t.end);
    return ms / 1000;
  }
}

/** A message and its suggestion as one sentence: "…; did you mean "x"?" or "….". */
function sentence(message: string, suggestion: string): string {
  return suggestion ? `${message}${suggestion}` : `${message}.`;
}

/** "; did you mean "x"?" for the nearest known name, when one is near. */
function suggest(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

function likePattern(pattern: string, insensitive: boolean): RegExp {
  let source = '';
  for (const c of pattern) source += c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${source}$`, insensitive ? 'is' : 's');
}

// ---- evaluation -----------------------------------------------------------------------------------

function evaluate(expr: Expr, value: (field: FieldRef) => FieldValue): boolean {
  switch (expr.kind) {
    case 'and': return evaluate(expr.left, value) && evaluate(expr.right, value);
    case 'or': return evaluate(expr.left, value) || evaluate(expr.right, value);
    case 'not': return !evaluate(expr.expr, value);
    case 'null': {
      const v = value(expr.field);
      return v === null || (Array.isArray(v) && v.length === 0);
    }
    case 'compare': return compare(value(expr.field), expr.op, expr.value, expr.field);
    case 'in': {
      const v = value(expr.field);
      if (v === null) return false;
      return expr.values.some((literal) => compare(v, '=', literal, expr.field)) !== expr.negated;
    }
    case 'like': {
      const v = value(expr.field);
      if (Array.isArray(v)) return v.some((x) => expr.pattern.test(x));
      return v !== null && expr.pattern.test(String(v));
    }
    case 'has': {
      const v = value(expr.field);
      if (Array.isArray(v)) return v.includes(expr.value);
      return v !== null && String(v).includes(expr.value);
    }
  }
}

function compare(cell: FieldValue, op: CompareOp, literal: Literal, field: FieldRef): boolean {
  if (cell === null || Array.isArray(cell)) return false;
  let a: FieldValue = cell;
  let b: FieldValue = literal;
  if (typeof a === 'number' && typeof b === 'string' && isNumeric(b)) b = Number(b);
  else if (typeof a === 'string' && typeof b === 'number' && isNumeric(a)) a = Number(a);
  else if (typeof a === 'boolean' && typeof b === 'string' && /^(true|false)$/i.test(b)) b = b.toLowerCase() === 'true';
  else if (typeof a === 'string' && typeof b === 'boolean') b = String(b);
  if (typeof a !== typeof b) return op === '!=';
  if (typeof a === 'number' && a !== a) return op === '!=' && !(typeof b === 'number' && b !== b);
  // A state reads the same in any case (MLflow writes FINISHED).
  if (field.kind === 'attr' && field.name === 'state' && typeof a === 'string' && typeof b === 'string') {
    a = a.toLowerCase();
    b = b.toLowerCase();
  }
  const order = typeof a === 'string' && (op === '=' || op === '!=') ? (a === b ? 0 : 1) : typeof a === 'string' ? compareKeys(a, b as string) : compareValues(a, b);
  switch (op) {
    case '=': return order === 0;
    case '!=': return order !== 0;
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
  }
}

function isNumeric(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}
