"""accelerate.Accelerator(log_with="wandb"): init_trackers, log with step=, end_training, on CPU."""

import torch
from accelerate import Accelerator


def main():
    torch.manual_seed(0)
    acc = Accelerator(log_with="wandb", cpu=True)
    acc.init_trackers("accelerate-demo", config={"lr": 0.05, "epochs": 3, "hidden": 8},
                      init_kwargs={"wandb": {"name": "acc-run", "tags": ["cpu"]}})
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.randn(32, 4)
    y = x.sum(dim=1, keepdim=True)
    model, opt = acc.prepare(model, opt)
    step = 0
    for epoch in range(3):
        for i in range(0, 32, 8):
            loss = torch.nn.functional.mse_loss(model(x[i:i + 8]), y[i:i + 8])
            acc.backward(loss)
            opt.step()
            opt.zero_grad()
            acc.log({"train_loss": loss.item(), "epoch": epoch}, step=step)
            step += 1
    run = acc.get_tracker("wandb", unwrap=True)
    print("RUN_ID", run.id)
    acc.end_training()


if __name__ == "__main__":
    main()
