"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.LogWriter = void 0;
// A TypeScript writer of the log protocol: used by tests, benchmarks and Node training scripts.
// It writes; it does not validate rewinds and forks against existing logs (the engine's rewind/fork
// and the Python client do that).
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const protocol_1 = require("./protocol");
const errors_1 = require("./errors");
const runSpec_1 = require("./runSpec");
class LogWriter {
    run;
    version;
    file;
    fd;
    clock;
    buffered;
    buffer = [];
    bufferedBytes = 0;
    timer;
    next;
    finished = false;
    constructor(options) {
        // The run id becomes a folder name: only a valid id may, never `../x` or an absolute path.
        this.run = (0, runSpec_1.validateRunId)(options.run ?? (0, protocol_1.newRunId)(), 'LogWriter run id');
        this.version = options.version ?? (0, protocol_1.newVersionId)();
        if (!runSpec_1.VERSION_ID_PATTERN.test(this.version))
            throw new errors_1.RunRewindError('bad-id', `LogWriter version id ${JSON.stringify(this.version)} is not valid: 'v' and 6 to 32 lowercase letters or digits`);
        this.clock = options.clock ?? (() => Date.now() / 1000);
        this.buffered = options.buffered ?? false;
        const dir = path.join(options.dir, protocol_1.RUNS_DIR, this.run);
        fs.mkdirSync(dir, { recursive: true });
        this.file = path.join(dir, `${options.stamp ?? (0, protocol_1.makeStamp)()}${protocol_1.LOG_EXTENSION}`);
        this.fd = fs.openSync(this.file, 'a');
        const heartbeat = options.heartbeat ?? protocol_1.DEFAULT_HEARTBEAT_SECONDS;
        const mode = options.mode ?? 'new';
        this.next = options.source && (mode === 'rewind' || mode === 'fork') ? options.source.step + 1 : options.lastStep !== undefined ? options.lastStep + 1 : 0;
        const start = {
            type: 'start', protocol: protocol_1.PROTOCOL_VERSION, time: this.clock(), run: this.run, version: this.version, mode,
            pid: process.pid, host: os.hostname(), heartbeat: heartbeat > 0 ? heartbeat : protocol_1.DEFAULT_HEARTBEAT_SECONDS,
        };
        for (const key of ['project', 'name', 'config', 'tags', 'notes', 'source'])
            if (options[key] !== undefined)
                start[key] = options[key];
        this.write(start);
        if (heartbeat > 0) {
            this.timer = setInterval(() => this.write({ type: 'alive', time: this.clock() }), heartbeat * 1000);
            this.timer.unref();
        }
    }
    /** The step the next log() without a step writes to. */
    get step() {
        return this.next;
    }
    /** Writes one history row at `step` (default: the next step). */
    log(data, step = this.next) {
        this.write({ type: 'row', time: this.clock(), step, data });
        this.next = step + 1;
    }
    config(update) {
        this.write({ type: 'config', time: this.clock(), config: update });
    }
    summary(update) {
        this.write({ type: 'summary', time: this.clock(), summary: update });
    }
    rename(name) {
        this.write({ type: 'rename', time: this.clock(), run: this.run, name });
    }
    /** Writes raw text (tests: torn and malformed lines). */
    writeRaw(text) {
        this.flush();
        fs.writeSync(this.fd, text);
    }
    finish(exitCode = 0) {
        if (this.finished)
            return;
        this.write({ type: 'finish', time: this.clock(), exit_code: exitCode });
        this.flush();
        fs.fsyncSync(this.fd);
        this.close();
        this.finished = true;
    }
    /** Stops writing without a finish record, as a killed process would. */
    abandon() {
        this.flush();
        this.close();
        this.finished = true;
    }
    flush() {
        if (this.buffer.length === 0)
            return;
        fs.writeSync(this.fd, this.buffer.join(''));
        this.buffer = [];
        this.bufferedBytes = 0;
    }
    write(record) {
        const line = `${(0, protocol_1.encodeRecord)(record)}\n`;
        if (!this.buffered) {
            fs.writeSync(this.fd, line);
            return;
        }
        this.buffer.push(line);
        this.bufferedBytes += line.length;
        if (this.bufferedBytes > 4 * 1024 * 1024)
            this.flush();
    }
    close() {
        if (this.timer)
            clearInterval(this.timer);
        fs.closeSync(this.fd);
    }
}
exports.LogWriter = LogWriter;
//# sourceMappingURL=writer.js.map