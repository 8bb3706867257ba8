"""A rich progress bar over training epochs, shared by the systems' training loops (a Keras callback)."""

import keras


class EpochProgress(keras.callbacks.Callback):
    """One bar over epochs with the training loss and the validation loss early stopping watches."""

    def __init__(self, epochs: int, console=None, title: str = "training", validation_key: str = "val_loss"):
        super().__init__()
        self.epochs, self.console, self.title, self.validation_key = epochs, console, title, validation_key
        self.progress = None

    def on_train_begin(self, logs=None):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn(self.title),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]}"),
            console=self.console,
            transient=False,
        )
        self.progress.start()
        self.task = self.progress.add_task("epochs", total=self.epochs, status="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        loss, validation = logs.get("loss", float("nan")), logs.get(self.validation_key, float("nan"))
        self.progress.update(self.task, advance=1, status=f"loss {loss:.4f}  validation {validation:.4f}")

    def on_train_end(self, logs=None):
        if self.progress is not None:
            self.progress.stop()
