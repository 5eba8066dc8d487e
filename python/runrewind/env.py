"""``wandb.env``: the names of the WANDB_* variables that init reads, and setters for them."""

import os

PROJECT = "WANDB_PROJECT"
ENTITY = "WANDB_ENTITY"
NAME = "WANDB_NAME"
NOTES = "WANDB_NOTES"
TAGS = "WANDB_TAGS"
RUN_GROUP = "WANDB_RUN_GROUP"
JOB_TYPE = "WANDB_JOB_TYPE"
RUN_ID = "WANDB_RUN_ID"
RESUME = "WANDB_RESUME"
MODE = "WANDB_MODE"
DIR = "WANDB_DIR"
SILENT = "WANDB_SILENT"
DISABLED = "WANDB_DISABLED"


def set_project(value, env=None):
    (env if env is not None else os.environ)[PROJECT] = value or "uncategorized"


def set_entity(value, env=None):
    (env if env is not None else os.environ)[ENTITY] = value


def get_project(default=None, env=None):
    return (env if env is not None else os.environ).get(PROJECT, default)


def get_dir(default=None, env=None):
    return (env if env is not None else os.environ).get(DIR, default)
