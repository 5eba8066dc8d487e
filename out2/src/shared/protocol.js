"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.isChartViewState = exports.CHART_VIEW_TYPE = void 0;
exports.dispatch = dispatch;
exports.isFromWebview = isFromWebview;
exports.isToWebview = isToWebview;
exports.defaultViewState = defaultViewState;
/** The panel's view type: `onWebviewPanel:<this>` activates the extension to restore it. */
exports.CHART_VIEW_TYPE = 'runRewind.charts';
function dispatch(handlers, message) {
    const handler = handlers[message.type];
    return handler(message);
}
const MAX_TEXT = 1_000_000;
const MAX_DATA_URL = 64 * 1024 * 1024;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (max = MAX_TEXT) => (v) => typeof v === 'string' && v.length <= max;
const isId = (v) => typeof v === 'string' && ID.test(v);
const isInt = (v) => typeof v === 'number' && Number.isSafeInteger(v);
const isStep = (v) => isInt(v) && v >= 0;
const isFiniteNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const isBool = (v) => typeof v === 'boolean';
const oneOf = (...values) => (v) => values.includes(v);
const optional = (check) => (v) => v === undefined || check(v);
const nullable = (check) => (v) => v === null || check(v);
const arrayOf = (check, max) => (v) => Array.isArray(v) && v.length <= max && v.every(check);
const shape = (fields) => (v) => isObject(v) && Object.entries(fields).every(([name, check]) => check(v[name]));
const isRange = shape({ from: optional(isStep), to: optional(isStep) });
const isLineRequest = shape({ version: isId, range: optional(isRange) });
const isSelection = shape({ runId: isId, versionId: isId, step: isStep });
const isXAxis = oneOf('step', 'relative', 'wall');
const isZoom = (v) => shape({ axis: isXAxis, min: isFiniteNumber, max: isFiniteNumber })(v) && v.min < v.max;
const isChartViewState = (v) => shape({
    version: oneOf(1),
    folder: isText(4096),
    runs: arrayOf(isId, 64),
    filter: isText(1000),
    zoom: nullable(isZoom),
    smoothing: (s) => isFiniteNumber(s) && s >= 0 && s < 1,
    logScale: isBool,
    xAxis: isXAxis,
    selection: nullable(isSelection),
    collapsed: arrayOf(isText(1000), 10_000),
})(v);
exports.isChartViewState = isChartViewState;
const isSnapshot = shape({
    state: exports.isChartViewState,
    charts: arrayOf(isText(), 100_000),
    drawn: arrayOf(shape({ key: isText(), lines: isInt, points: isInt, dashed: isInt }), 100_000),
    legend: arrayOf(isText(), 10_000),
    overviewText: isText(),
    buckets: isInt,
    notice: isText(),
    injected: isInt,
});
const fromWebviewChecks = {
    ready: { width: (v) => isFiniteNumber(v) && v >= 0, state: nullable(exports.isChartViewState) },
    query: {
        requestId: isInt,
        key: isText(10_000),
        lines: arrayOf(isLineRequest, 1024),
        buckets: (v) => isInt(v) && v >= 1 && v <= 100_000,
        withTimes: isBool,
    },
    select: { selection: nullable(isSelection) },
    moveSelection: { direction: oneOf(1, -1) },
    runCommand: { command: oneOf('rewind', 'fork') },
    copy: { text: isText(100_000), what: isText(100) },
    openVersion: { runId: isId, versionId: isId },
    exportPng: {
        inReplyTo: nullable(isInt),
        key: isText(10_000),
        dataUrl: (v) => typeof v === 'string' && v.length <= MAX_DATA_URL && v.startsWith('data:image/png;base64,'),
    },
    exportCsv: { key: isText(10_000), lines: arrayOf(isLineRequest, 1024) },
    stateChanged: { state: exports.isChartViewState },
    inspectResult: { inReplyTo: isInt, snapshot: isSnapshot },
    testActionDone: { inReplyTo: isInt, error: optional(isText(10_000)) },
    error: { message: isText(10_000) },
};
/** True when `value` is a well-formed message from the webview; anything else is dropped by the host. */
function isFromWebview(value) {
    if (!isObject(value) || typeof value.type !== 'string')
        return false;
    if (!Object.prototype.hasOwnProperty.call(fromWebviewChecks, value.type))
        return false;
    const checks = fromWebviewChecks[value.type];
    return shape(checks)(value);
}
const toWebviewTypes = {
    init: true,
    runs: true,
    series: true,
    append: true,
    selection: true,
    exportPngRequest: true,
    inspectRequest: true,
    testAction: true,
    notice: true,
};
/** The webview trusts its host, but still ignores messages that are not ours (other frames, extensions). */
function isToWebview(value) {
    return isObject(value) && typeof value.type === 'string' && Object.prototype.hasOwnProperty.call(toWebviewTypes, value.type);
}
/** A fresh view state for a panel showing `runs` of `folder`. */
function defaultViewState(folder, runs) {
    return {
        version: 1,
        folder,
        runs: [...runs],
        filter: '',
        zoom: null,
        smoothing: 0,
        logScale: false,
        xAxis: 'step',
        selection: null,
        collapsed: [],
    };
}
//# sourceMappingURL=protocol.js.map