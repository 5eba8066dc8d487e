"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.startStoreClient = void 0;
const client_1 = require("../core/client");
/** Starts the worker thread beside the bundle (dist/worker.js, dist/sql-wasm.wasm). */
const startStoreClient = (options) => client_1.StoreClient.start(options);
exports.startStoreClient = startStoreClient;
//# sourceMappingURL=storeConnection.js.map