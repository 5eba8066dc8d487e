"use strict";
// The Run Rewind log protocol, version 1: the records training processes and the UI append to the log
// directory. docs/PROTOCOL.md is the user-facing description; this module is the executable one.
//
// Layout of a log directory:
//   runs/<run id>/<stamp>.jsonl   one file per writer process (one `init` of a client)
//   ops/<stamp>.jsonl             one file per operation made in the UI or the command line
// <stamp> is "<13-digit unix milliseconds>-<8 lowercase base-36 characters>"; readers apply files in
// stamp order, so a record only ever refers to runs and versions created by an earlier file.
Object.defineProperty(exports, "__esModule", { value: true });
exports.RECORD_TYPES = exports.PID_REUSE_SLACK_SECONDS = exports.HEARTBEAT_GRACE = exports.DEFAULT_HEARTBEAT_SECONDS = exports.LOG_EXTENSION = exports.OPS_DIR = exports.RUNS_DIR = exports.PROTOCOL_VERSION = void 0;
exports.makeStamp = makeStamp;
exports.newVersionId = newVersionId;
exports.newRunId = newRunId;
exports.encodeRecord = encodeRecord;
exports.parseLine = parseLine;
exports.PROTOCOL_VERSION = 1;
exports.RUNS_DIR = 'runs';
exports.OPS_DIR = 'ops';
exports.LOG_EXTENSION = '.jsonl';
/** Seconds between `alive` records that writers promise unless their start record says otherwise. */
exports.DEFAULT_HEARTBEAT_SECONDS = 10;
/** A writer that stays silent this many heartbeats is taken for dead. */
exports.HEARTBEAT_GRACE = 4;
/** A process on the writer's host that started this long after the writer's newest record is not it. */
exports.PID_REUSE_SLACK_SECONDS = 2;
exports.RECORD_TYPES = new Set([
    'start', 'config', 'row', 'summary', 'alive', 'finish', 'rewind', 'fork', 'rename', 'delete',
]);
/** Makes a file stamp that sorts by creation time. */
function makeStamp(nowMs = Date.now()) {
    return `${String(Math.floor(nowMs)).padStart(13, '0')}-${randomBase36(8)}`;
}
/** A new immutable version id. */
function newVersionId() {
    return `v${randomBase36(12)}`;
}
/** A new run id: 8 random lowercase base-36 characters, as W&B makes them. */
function newRunId() {
    return randomBase36(8);
}
function randomBase36(length) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    for (let i = 0; i < length; i++)
        out += alphabet[Math.floor(Math.random() * 36)];
    return out;
}
// ---------------------------------------------------------------------------------------------
// Encoding
/**
 * Serialises a record as one line (without the newline). Non-finite numbers are written bare, as
 * Python's json module writes them, so both writers produce the same bytes.
 */
function encodeRecord(record) {
    if (!hasNonFinite(record, 0))
        return JSON.stringify(record);
    let nonFinite = false;
    const text = JSON.stringify(record, (_key, value) => {
        if (typeof value === 'number' && !Number.isFinite(value)) {
            nonFinite = true;
            return Number.isNaN(value) ? NAN_TOKEN : value > 0 ? POS_INF_TOKEN : NEG_INF_TOKEN;
        }
        return value;
    });
    if (!nonFinite)
        return text;
    return text
        .split(`"${NAN_TOKEN}"`).join('NaN')
        .split(`"${POS_INF_TOKEN}"`).join('Infinity')
        .split(`"${NEG_INF_TOKEN}"`).join('-Infinity');
}
function hasNonFinite(value, depth) {
    if (typeof value === 'number')
        return value - value !== 0;
    if (typeof value !== 'object' || value === null || depth > 64)
        return false;
    if (Array.isArray(value))
        return value.some((v) => hasNonFinite(v, depth + 1));
    for (const key in value)
        if (hasNonFinite(value[key], depth + 1))
            return true;
    return false;
}
// Private-use characters that JSON.stringify leaves as they are; a user string equal to one of these
// tokens would be rewritten, so they are long and improbable.
const NAN_TOKEN = '\uE000rr-NaN\uE000';
const POS_INF_TOKEN = '\uE000rr-Inf\uE000';
const NEG_INF_TOKEN = '\uE000rr--Inf\uE000';
// ---------------------------------------------------------------------------------------------
// Decoding
/**
 * Parses one line. Fast path: JSON.parse. Lines with Python's bare NaN / Infinity / -Infinity fall back
 * to a strict parser that accepts those three tokens. Throws SyntaxError with a reason on bad input.
 */
function parseLine(line) {
    try {
        return JSON.parse(line);
    }
    catch (error) {
        if (!/NaN|Infinity/.test(line))
            throw error;
        return new RelaxedJsonParser(line).parseDocument();
    }
}
class RelaxedJsonParser {
    text;
    pos = 0;
    constructor(text) {
        this.text = text;
    }
    parseDocument() {
        const value = this.value(0);
        this.ws();
        if (this.pos !== this.text.length)
            this.fail('unexpected text after the JSON value');
        return value;
    }
    value(depth) {
        if (depth > 512)
            this.fail('nesting is too deep');
        this.ws();
        const c = this.text[this.pos];
        switch (c) {
            case '{': return this.object(depth);
            case '[': return this.array(depth);
            case '"': return this.string();
            case 't': return this.literal('true', true);
            case 'f': return this.literal('false', false);
            case 'n': return this.literal('null', null);
            case 'N': return this.literal('NaN', Number.NaN);
            case 'I': return this.literal('Infinity', Number.POSITIVE_INFINITY);
            case '-':
                if (this.text.startsWith('-Infinity', this.pos))
                    return this.literal('-Infinity', Number.NEGATIVE_INFINITY);
                return this.number();
            default:
                if (c !== undefined && c >= '0' && c <= '9')
                    return this.number();
                return this.fail(c === undefined ? 'unexpected end of line' : `unexpected character ${JSON.stringify(c)}`);
        }
    }
    object(depth) {
        const out = {};
        this.pos++;
        this.ws();
        if (this.text[this.pos] === '}') {
            this.pos++;
            return out;
        }
        for (;;) {
            this.ws();
            if (this.text[this.pos] !== '"')
                this.fail('expected a property name');
            const key = this.string();
            this.ws();
            if (this.text[this.pos] !== ':')
                this.fail("expected ':'");
            this.pos++;
            // defineProperty keeps keys such as "__proto__" as plain data, as JSON.parse does.
            Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
            this.ws();
            const c = this.text[this.pos++];
            if (c === '}')
                return out;
            if (c !== ',')
                this.fail("expected ',' or '}'");
        }
    }
    array(depth) {
        const out = [];
        this.pos++;
        this.ws();
        if (this.text[this.pos] === ']') {
            this.pos++;
            return out;
        }
        for (;;) {
            out.push(this.value(depth + 1));
            this.ws();
            const c = this.text[this.pos++];
            if (c === ']')
                return out;
            if (c !== ',')
                this.fail("expected ',' or ']'");
        }
    }
    string() {
        const start = this.pos;
        this.pos++;
        for (;;) {
            const c = this.text.charCodeAt(this.pos);
            if (Number.isNaN(c))
                this.fail('unterminated string');
            if (c === 0x22)
                break;
            if (c === 0x5c)
                this.pos++;
            else if (c < 0x20)
                this.fail('control character in string');
            this.pos++;
        }
        this.pos++;
        return JSON.parse(this.text.slice(start, this.pos));
    }
    number() {
        const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
        if (!match)
            this.fail('bad number');
        this.pos += match[0].length;
        return Number(match[0]);
    }
    literal(word, value) {
        if (!this.text.startsWith(word, this.pos))
            this.fail(`unexpected token at ${JSON.stringify(this.text.slice(this.pos, this.pos + 12))}`);
        this.pos += word.length;
        return value;
    }
    ws() {
        while (this.pos < this.text.length) {
            const c = this.text.charCodeAt(this.pos);
            if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)
                return;
            this.pos++;
        }
    }
    fail(reason) {
        throw new SyntaxError(`${reason} at column ${this.pos + 1}`);
    }
}
//# sourceMappingURL=protocol.js.map