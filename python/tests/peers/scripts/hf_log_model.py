"""transformers.Trainer(report_to="wandb") with WANDB_LOG_MODEL=checkpoint: the WandbCallback logs each
saved checkpoint folder as a model artifact (hf_trainer.py's tiny BERT, saving every epoch)."""

import sys

import hf_trainer

if __name__ == "__main__":
    hf_trainer.main(sys.argv[1], run_name="tiny-bert-ckpt", save_strategy="epoch")
