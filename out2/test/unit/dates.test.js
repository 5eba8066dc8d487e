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
// The one date format of the UI (src/shared/dates.ts): the user's locale, to the second, the same
// function in the tree, tooltips, history documents and the chart overview.
const assert = __importStar(require("node:assert/strict"));
const dates_1 = require("../../src/shared/dates");
const T = Date.UTC(2026, 10, 29, 22, 7, 26) / 1000;
describe('dates', () => {
    it('writes English as "Nov 29, 2026, 10:07:26 PM" (local time, to the second)', () => {
        assert.match((0, dates_1.formatDateTime)(T, 'en-US'), /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s[AP]M$/);
    });
    it('writes Korean in its own order', () => {
        assert.match((0, dates_1.formatDateTime)(T, 'ko'), /^\d{4}\. \d{1,2}\. \d{1,2}\. (오전|오후|AM|PM)\s\d{1,2}:\d{2}:\d{2}$/);
    });
    it('agrees with the runtime for the same locale, so host and webview show the same text', () => {
        const expected = new Date(T * 1000).toLocaleString('de', { dateStyle: 'medium', timeStyle: 'medium' });
        assert.equal((0, dates_1.formatDateTime)(T, 'de'), expected);
    });
    it('falls back to the default locale for a tag Intl rejects, and is empty without a time', () => {
        assert.equal((0, dates_1.formatDateTime)(T, 'not a locale!'), (0, dates_1.formatDateTime)(T));
        assert.equal((0, dates_1.formatDateTime)(null, 'en'), '');
        assert.equal((0, dates_1.formatDateTime)(undefined), '');
        assert.equal((0, dates_1.formatDateTime)(Number.NaN), '');
    });
});
//# sourceMappingURL=dates.test.js.map