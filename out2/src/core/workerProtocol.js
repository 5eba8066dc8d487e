"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=workerProtocol.js.map