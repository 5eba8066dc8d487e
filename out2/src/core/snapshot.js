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
exports.snapshotKey = snapshotKey;
exports.writeSnapshot = writeSnapshot;
exports.readSnapshot = readSnapshot;
// The persisted store: the SQLite bytes in an envelope that says which schema wrote them and carries an
// HMAC-SHA256 of the bytes under a key only this user has (snapshotKey), so a truncated, corrupt or
// planted file (a snapshot committed into a repository's log directory, say) is recognised before SQLite
// ever sees it, and the store is rebuilt from the logs instead. Written to a temporary file, synced, then
// renamed over the old one: a crash leaves the old or the new file, never a torn one.
const crypto = __importStar(require("node:crypto"));
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const MAGIC = Buffer.from('RRSNAP\u0000\u0002', 'latin1');
const MAC_LENGTH = 32;
const HEADER = 8 + 4 + 4 + 8 + MAC_LENGTH;
let cachedKey;
/**
 * The user's snapshot key: 32 random bytes in a file readable by this user only, made on first use
 * (`$RUNREWIND_SNAPSHOT_KEY` names another file). Where no such file can be kept, a key for this
 * process alone: snapshots are then never reused, which costs a rebuild, never a wrong store.
 */
function snapshotKey() {
    if (cachedKey)
        return cachedKey;
    const configHome = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
    const file = process.env.RUNREWIND_SNAPSHOT_KEY || path.join(configHome, 'runrewind', 'snapshot.key');
    try {
        const key = fs.readFileSync(file);
        if (key.length >= 32)
            return (cachedKey = key);
    }
    catch {
        // made below
    }
    const fresh = crypto.randomBytes(32);
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, fresh, { flag: 'wx', mode: 0o600 });
        return (cachedKey = fresh);
    }
    catch {
        try {
            const key = fs.readFileSync(file); // another process made it first
            if (key.length >= 32)
                return (cachedKey = key);
        }
        catch {
            // no place for a key
        }
    }
    return (cachedKey = fresh);
}
function mac(bytes, schema) {
    return crypto.createHmac('sha256', snapshotKey()).update(String(schema)).update(bytes).digest();
}
function writeSnapshot(file, schema, bytes) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(schema, 8);
    header.writeBigUInt64LE(BigInt(bytes.byteLength), 16);
    mac(bytes, schema).copy(header, 24);
    const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    const fd = fs.openSync(temp, 'w');
    try {
        fs.writeSync(fd, header);
        let at = 0;
        while (at < bytes.byteLength)
            at += fs.writeSync(fd, bytes, at, Math.min(bytes.byteLength - at, 16 * 1024 * 1024));
        fs.fsyncSync(fd);
    }
    catch (error) {
        fs.closeSync(fd);
        fs.rmSync(temp, { force: true });
        throw error;
    }
    fs.closeSync(fd);
    try {
        fs.renameSync(temp, file);
    }
    catch (error) {
        fs.rmSync(temp, { force: true });
        throw error;
    }
}
function readSnapshot(file, schema) {
    let data;
    try {
        data = fs.readFileSync(file);
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return { kind: 'missing' };
        return { kind: 'unusable', reason: `it cannot be read (${error.message})` };
    }
    if (data.length < HEADER || !data.subarray(0, 8).equals(MAGIC))
        return { kind: 'unusable', reason: 'it is not a Run Rewind snapshot' };
    const written = data.readUInt32LE(8);
    if (written !== schema)
        return { kind: 'unusable', reason: `it was written with store schema ${written}, this version uses ${schema}` };
    const length = Number(data.readBigUInt64LE(16));
    if (data.length - HEADER !== length)
        return { kind: 'unusable', reason: `it is truncated (${data.length - HEADER} of ${length} bytes)` };
    const bytes = data.subarray(HEADER);
    if (!crypto.timingSafeEqual(mac(bytes, schema), data.subarray(24, 24 + MAC_LENGTH))) {
        return { kind: 'unusable', reason: 'its checksum does not match (the file is corrupt, or was not written by this user)' };
    }
    return { kind: 'ok', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
//# sourceMappingURL=snapshot.js.map