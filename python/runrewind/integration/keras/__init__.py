"""``wandb.integration.keras``: WandbMetricsLogger, logging Keras's epoch (or batch) logs to the current
run. Keras itself is not a dependency: the callback class is built on first use from the installed Keras."""

import importlib

_classes = {}


def _keras_callback_base():
    for name in ("keras", "tensorflow.keras"):
        try:
            module = importlib.import_module(name)
            return module.callbacks.Callback
        except Exception:
            continue
    raise ImportError("wandb.integration.keras needs Keras (pip install keras)")


def _current_run():
    import runrewind
    if runrewind.run is None:
        raise runrewind.Error("You must call wandb.init() before WandbMetricsLogger()")
    return runrewind.run


def _make_metrics_logger():
    base = _keras_callback_base()

    class WandbMetricsLogger(base):
        """Logs ``epoch/<metric>`` at each epoch end (and ``batch/<metric>`` every ``log_freq`` batches
        when ``log_freq`` is a number), as wandb's."""

        def __init__(self, log_freq="epoch", initial_global_step=0, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.run = _current_run()
            self.logging_batch_wise = isinstance(log_freq, int)
            self.log_freq = log_freq if self.logging_batch_wise else None
            self.global_batch = 0
            self.global_step = initial_global_step
            if self.logging_batch_wise:
                self.run.define_metric("batch/batch_step")
                self.run.define_metric("batch/*", step_metric="batch/batch_step")
            else:
                self.run.define_metric("epoch/epoch")
                self.run.define_metric("epoch/*", step_metric="epoch/epoch")

        def on_epoch_end(self, epoch, logs=None):
            logs = dict(("epoch/%s" % k, v) for k, v in (logs or {}).items())
            logs["epoch/epoch"] = epoch
            self.run.log(logs)

        def on_batch_end(self, batch, logs=None):
            self.global_step += 1
            if self.logging_batch_wise and batch % self.log_freq == 0:
                logs = dict(("batch/%s" % k, v) for k, v in (logs or {}).items())
                logs["batch/batch_step"] = self.global_batch
                self.run.log(logs)
                self.global_batch += self.log_freq

        on_train_batch_end = on_batch_end

    return WandbMetricsLogger


def __getattr__(name):
    if name == "WandbMetricsLogger":
        if name not in _classes:
            _classes[name] = _make_metrics_logger()
        return _classes[name]
    if name in ("WandbCallback", "WandbModelCheckpoint", "WandbEvalCallback"):
        raise ImportError("wandb.integration.keras.%s is not supported by Run Rewind; use WandbMetricsLogger"
                          % name)
    raise AttributeError(name)
