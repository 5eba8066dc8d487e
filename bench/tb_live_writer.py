"""The live figure of the import benchmark (bench/importers.ts): torch's SummaryWriter logs `loss` at steps
0..STEPS-1, one every INTERVAL seconds, calling flush() after each (its default is to flush every 120 s,
which no reader can beat), and prints {"step", "time"} as JSON lines: the wall time each flush returned.

tb_live_writer.py DIR STEPS INTERVAL — run with the peers venv's python (scripts/install-python-peers.sh).
"""
import json
import sys
import time

from torch.utils.tensorboard import SummaryWriter


def main():
    run_dir, steps, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    writer = SummaryWriter(run_dir)
    writer.flush()
    print(json.dumps({"ready": True}), flush=True)
    for step in range(steps):
        time.sleep(interval)
        writer.add_scalar("loss", 1.0 / (step + 1), step)
        writer.flush()
        print(json.dumps({"step": step, "time": time.time()}), flush=True)
    writer.close()


if __name__ == "__main__":
    main()
