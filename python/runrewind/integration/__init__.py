"""``wandb.integration``: the framework callbacks wandb ships (only Keras's here; the others live in
the frameworks themselves: transformers, Lightning, accelerate)."""
