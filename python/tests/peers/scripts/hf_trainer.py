"""transformers.Trainer(report_to="wandb") on a tiny BERT built from a config (no download), on CPU."""

import sys

import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments


class Data(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(5, 90, (n, 12), generator=g)
        self.labels = (self.ids[:, 0] > 47).long()

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(12, dtype=torch.long), "labels": self.labels[i]}


def main(out, run_name="tiny-bert", save_strategy="no"):
    torch.manual_seed(0)
    config = BertConfig(vocab_size=100, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=2)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(output_dir=out, run_name=run_name, report_to="wandb", num_train_epochs=2,
                             per_device_train_batch_size=8, learning_rate=1e-3, logging_steps=2,
                             eval_strategy="epoch", save_strategy=save_strategy, use_cpu=True, seed=0,
                             disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=Data(48, 1), eval_dataset=Data(16, 2))
    trainer.train()
    import wandb
    print("RUN_ID", wandb.run.id if wandb.run else None)
    wandb.finish()


if __name__ == "__main__":
    main(sys.argv[1])
