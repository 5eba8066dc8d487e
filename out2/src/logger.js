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
exports.Logger = void 0;
// The one log of the extension: a LogOutputChannel where every line names the component that wrote it.
const vscode = __importStar(require("vscode"));
class Logger {
    channel;
    constructor(name) {
        this.channel = vscode.window.createOutputChannel(name, { log: true });
    }
    for(component) {
        const tag = `[${component}]`;
        const channel = this.channel;
        return {
            trace: (m) => channel.trace(`${tag} ${m}`),
            debug: (m) => channel.debug(`${tag} ${m}`),
            info: (m) => channel.info(`${tag} ${m}`),
            warn: (m) => channel.warn(`${tag} ${m}`),
            error: (m) => channel.error(`${tag} ${typeof m === 'string' ? m : (m.stack ?? m.message)}`),
        };
    }
    show() {
        this.channel.show(true);
    }
    dispose() {
        this.channel.dispose();
    }
}
exports.Logger = Logger;
//# sourceMappingURL=logger.js.map