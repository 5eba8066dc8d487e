# The rewind script of the seed document (W&B's "Rewind a run" guide), unchanged except for the import.
# Run it with the log directory of your choice:  RUNREWIND_DIR=/tmp/logs python3 examples/seed_rewind.py
# (from python/, or with python/ on PYTHONPATH or runrewind installed).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import runrewind as wandb
import math

# 첫 번째 run을 초기화하고 일부 메트릭을 기록합니다.
# your_project_name 과 your_entity_name을 실제 값으로 바꿔주세요!
run1 = wandb.init(project="your_project_name", entity="your_entity_name")
for i in range(300):
    run1.log({"metric": i})
run1.finish()

# 첫 번째 run을 특정 step에서 되감기하고, step 200부터 메트릭을 기록합니다.
run2 = wandb.init(project="your_project_name", entity="your_entity_name", resume_from=f"{run1.id}?_step=200")

# 새로운 run에서 계속해서 로그를 남깁니다.
# 처음 몇 step 동안은 run1의 메트릭 그대로 기록
# step 250 이후에는 스파이크 패턴을 기록
for i in range(200, 300):
    if i < 250:
        run2.log({"metric": i, "step": i})  # run1에서 이어서 스파이크 없이 기록
    else:
        # step 250 부터 스파이키한 패턴을 적용
        subtle_spike = i + (2 * math.sin(i / 3.0))  # 은은한 스파이크 패턴 적용
        run2.log({"metric": subtle_spike, "step": i})
    # 모든 step에서 추가 메트릭 기록
    run2.log({"additional_metric": i * 1.1, "step": i})
run2.finish()

print("run %s rewound at step 200: version %s archived, live version %s"
      % (run2.id, run2.forked_from["version"], run2.version_id))
