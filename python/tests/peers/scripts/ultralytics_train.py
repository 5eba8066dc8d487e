"""Ultralytics' own wandb callback (ultralytics/utils/callbacks/wb.py) on a YOLOv8n built from its yaml and
a dataset made here, all offline: `python ultralytics_train.py new` trains 2 epochs in a run the callback
starts; `python ultralytics_train.py resume RUN` continues RUN (after a rewind to its checkpoint) from the
weights of its model artifact's `best` alias, one more epoch logged by the callback into that run.
Needs YOLO_CONFIG_DIR and YOLO_OFFLINE=1 in the environment and the Ultralytics overlay on PYTHONPATH."""

import os
import random
import shutil
import socket
import sys

# Nothing may be fetched: every name lookup or connection would be a download this machine cannot make
# (fonts, weights, datasets), so each is refused and reported.
def _refuse(*args, **kwargs):
    sys.stderr.write("NETWORK %r\n" % (args[:2],))
    raise OSError("offline test: no network")


socket.getaddrinfo = _refuse
socket.socket.connect = lambda self, addr: _refuse(addr)

# Ultralytics turns its loggers off under pytest or in a GitHub action; this is neither.
for name in ("PYTEST_CURRENT_TEST", "GITHUB_ACTIONS"):
    os.environ.pop(name, None)

SIZE = 64


def make_dataset(root):
    """A one-class detection set in YOLO's layout: white boxes on coloured backgrounds, label files with
    their normalized centre and size, and the data yaml that points at both."""
    from PIL import Image, ImageDraw

    rnd = random.Random(0)
    for split, n in (("train", 8), ("val", 4)):
        os.makedirs(os.path.join(root, "images", split), exist_ok=True)
        os.makedirs(os.path.join(root, "labels", split), exist_ok=True)
        for i in range(n):
            img = Image.new("RGB", (SIZE, SIZE), tuple(rnd.randrange(200) for _ in range(3)))
            w, h = rnd.randint(16, 32), rnd.randint(16, 32)
            x, y = rnd.randint(0, SIZE - w), rnd.randint(0, SIZE - h)
            ImageDraw.Draw(img).rectangle([x, y, x + w, y + h], fill=(255, 255, 255))
            img.save(os.path.join(root, "images", split, "%d.jpg" % i))
            with open(os.path.join(root, "labels", split, "%d.txt" % i), "w") as f:
                f.write("0 %.4f %.4f %.4f %.4f\n" % ((x + w / 2) / SIZE, (y + h / 2) / SIZE, w / SIZE, h / SIZE))
    data = os.path.join(root, "data.yaml")
    with open(data, "w") as f:
        f.write("path: %s\ntrain: images/train\nval: images/val\nnames:\n  0: box\n" % root)
    return data


def setup():
    """The font Ultralytics' plots ask for (it downloads Arial.ttf into its config folder when missing):
    matplotlib's DejaVu Sans under that name. Only the wandb integration is on."""
    import matplotlib

    cfg = os.path.join(os.environ["YOLO_CONFIG_DIR"], "Ultralytics")
    os.makedirs(cfg, exist_ok=True)
    shutil.copy(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf"), os.path.join(cfg, "Arial.ttf"))
    from ultralytics import settings

    settings.update({k: False for k in ("clearml", "comet", "dvc", "mlflow", "raytune", "tensorboard", "sync")})
    settings.update({"wandb": True})


def train(model, data, epochs, name):
    model.train(data=data, epochs=epochs, imgsz=SIZE, batch=4, device="cpu", workers=0, amp=False, seed=0,
                deterministic=True, project=os.path.join(os.getcwd(), "yolo"), name=name, exist_ok=True,
                plots=True, verbose=False)


def main():
    setup()
    import torch
    from ultralytics import YOLO

    torch.manual_seed(0)
    data = make_dataset(os.path.join(os.getcwd(), "data"))
    if sys.argv[1] == "new":
        train(YOLO("yolov8n.yaml"), data, 2, "tiny")
        return
    import wandb

    run_id = sys.argv[2]
    run = wandb.init(id=run_id, resume="must")
    art = run.use_artifact("run_%s_model:best" % run_id, type="model")
    weights = os.path.join(art.download(), "best.pt")
    print("RESUMED_FROM", art.version, run.step)
    # The callback logs into the run already started and leaves finishing it to us.
    train(YOLO(weights), data, 1, "tiny-resumed")
    run.finish()


if __name__ == "__main__":
    main()
