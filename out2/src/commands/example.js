"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.EXAMPLE_FILE = void 0;
exports.exampleScript = exampleScript;
// The first-run example the welcome view offers: a training loop small enough to read at a glance.
exports.EXAMPLE_FILE = 'runrewind_quickstart.py';
function exampleScript() {
    return `# Run Rewind quickstart: logs a run to this workspace's .runrewind directory.
# Run it in a VS Code terminal (the Run Rewind client is on PYTHONPATH there): python3 ${exports.EXAMPLE_FILE}
import math
import random
import time

import runrewind

run = runrewind.init(project="quickstart", config={"lr": 0.01, "batch_size": 32})
for step in range(300):
    loss = math.exp(-step / 80) + random.random() * 0.05
    run.log({"loss": loss, "acc": 1 - loss / 2})
    time.sleep(0.01)
run.finish()

# Then, in the Runs view: right-click the run → Rewind Run to Step… or Fork Run at Step…
# To rewind from a script instead: runrewind.init(project="quickstart", resume_from=f"{run.id}?_step=200")
`;
}
//# sourceMappingURL=example.js.map