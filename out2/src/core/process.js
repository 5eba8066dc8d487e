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
exports.pidAlive = pidAlive;
exports.processStartTime = processStartTime;
// Is a writer's process still there? The same answer in every reader: docs/PROTOCOL.md ("alive") and
// python/runrewind/_logs.py implement these rules too.
const fs = __importStar(require("node:fs"));
function pidAlive(pid) {
    if (!Number.isInteger(pid) || pid <= 0)
        return false;
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM';
    }
}
let bootTime;
/**
 * When process `pid` started, in unix seconds (Linux: from /proc), or undefined where that cannot be
 * known. A process that started after a writer's newest record cannot be that writer: its pid was reused.
 */
function processStartTime(pid) {
    if (process.platform !== 'linux')
        return undefined;
    try {
        if (bootTime === undefined) {
            const match = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
            bootTime = match ? Number(match[1]) : null;
        }
        if (bootTime === null)
            return undefined;
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[19]); // field 22 of proc(5): starttime, in clock ticks since boot
        // USER_HZ is 100 on every Linux that VS Code runs on.
        return Number.isFinite(ticks) ? bootTime + ticks / 100 : undefined;
    }
    catch {
        return undefined;
    }
}
//# sourceMappingURL=process.js.map