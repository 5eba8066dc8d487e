"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.resumeSnippet = resumeSnippet;
const runSpec_1 = require("../core/runSpec");
const format_1 = require("../format");
/**
 * resume: keep logging to the run as it is now (after a rewind or fork made in the UI, this is the one);
 * rewind: `resume_from` — the script itself rewinds the run at `step`; fork: `fork_from` — a new run.
 */
function resumeSnippet(target, mode, step) {
    const project = `project=${(0, format_1.pythonString)(target.run.project)}`;
    switch (mode) {
        case 'resume':
            return `run = runrewind.init(${project}, id=${(0, format_1.pythonString)(target.run.id)}, resume="must")`;
        case 'rewind':
            return `run = runrewind.init(${project}, resume_from=${(0, format_1.pythonString)((0, runSpec_1.formatRunSpec)(target.run.id, step ?? 0))})`;
        case 'fork': {
            // Forking an archived version must name its immutable id: the run id means the live version.
            const source = target.version?.archived ? target.version.id : target.run.id;
            return `run = runrewind.init(${project}, fork_from=${(0, format_1.pythonString)((0, runSpec_1.formatRunSpec)(source, step ?? 0))})`;
        }
    }
}
//# sourceMappingURL=snippet.js.map