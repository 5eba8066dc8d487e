"use strict";
// The shapes the store answers with, and the interface the extension and the command line use.
// Everything here survives structured cloning (worker_threads), including NaN and ±Infinity.
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=api.js.map