"""Lightning's Trainer with WandbLogger (its default save_dir="." as a framework passes it), two-layer
model, CPU, a few steps. WandbLogger never calls finish: the run is finished at interpreter exit."""

import sys

import lightning as L
import torch
from lightning.pytorch.loggers import WandbLogger


class TwoLayer(L.LightningModule):
    def __init__(self, hidden=8, lr=0.05):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def training_step(self, batch, i):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train/loss", loss)
        return loss

    def validation_step(self, batch, i):
        x, y = batch
        self.log("val/loss", torch.nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def loader(seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 4, generator=g)
    y = x.sum(dim=1, keepdim=True)
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8)


def main():
    torch.manual_seed(0)
    logger = WandbLogger(project="lightning-demo", name="two-layer")
    trainer = L.Trainer(max_epochs=2, logger=logger, log_every_n_steps=2, accelerator="cpu", devices=1,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(TwoLayer(), loader(1), loader(2))
    print("RUN_ID", logger.experiment.id)


if __name__ == "__main__":
    main()
