"""Lightning's WandbLogger media and checkpoint calls: log_image (a numpy array and a CHW torch tensor, with
captions), log_table, and log_model="all" (a model artifact per checkpoint, aliases latest/best)."""

import sys

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import WandbLogger

from lightning_wandb import TwoLayer, loader


class WithMedia(TwoLayer):
    def on_validation_epoch_end(self):
        self.logger.log_image("samples", [np.random.rand(8, 6, 3), torch.rand(3, 4, 5)], caption=["np", "torch"])
        self.logger.log_table("preds", columns=["x", "y"], data=[[1, 2.0], [2, 3.5]])


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    logger = WandbLogger(project="lightning-media", name="media", log_model="all")
    trainer = L.Trainer(max_epochs=2, logger=logger, log_every_n_steps=2, accelerator="cpu", devices=1,
                        callbacks=[ModelCheckpoint(dirpath=sys.argv[1], save_top_k=-1)],
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(WithMedia(), loader(1), loader(2))
    print("RUN_ID", logger.experiment.id)


if __name__ == "__main__":
    main()
