# The "fork from a rewound run" script of the seed document, unchanged except for the import. The seed
# assumes a `rewind_run` that reached step 500; the setup below makes one (the seed does not show it).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import runrewind as wandb

# --- setup, not in the seed: a run of 600 steps, rewound at step 200 and logged again up to step 600 ---
base_run = wandb.init(project="your_project_name", entity="your_entity_name")
for i in range(600):
    base_run.log({"metric": i})
base_run.finish()
rewind_run = wandb.init(project="your_project_name", entity="your_entity_name",
                        resume_from=f"{base_run.id}?_step=200")
for i in range(201, 601):
    rewind_run.log({"metric": i * 2})
rewind_run.finish()

# --- the seed's script ---
# 특정 step에서 run을 포크합니다.
forked_run = wandb.init(
    project="your_project_name",
    entity="your_entity_name",
    fork_from=f"{rewind_run.id}?_step=500",
)

# 새로운 run에서 계속 로그를 남깁니다.
for i in range(500, 1000):
    forked_run.log({"metric": i*3})
forked_run.finish()

print("forked run %s from %s at step 500" % (forked_run.id, rewind_run.id))
