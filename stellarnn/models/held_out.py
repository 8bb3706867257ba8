"""Evaluating a stored model on the held-out part of the data it was trained on (spectra, cluster): the
requests that cannot apply are refused the same way for every such system."""

from stellarnn.errors import UserInputError


def check_request(system: str, what: str, artifact, data: str, folds: int, config: str | None) -> None:
    """``what`` names the held-out items ('atmospheres', 'clusters')."""
    if folds:
        raise UserInputError(f"{system} is evaluated on its held-out {what}, not by --cross-validate")
    if config is not None:
        raise UserInputError(f"evaluate {system} uses the settings the model was trained with; --config does not apply")
    trained_on = artifact.card["data"]["source"]
    if data != trained_on:
        raise UserInputError(f"{artifact.id} was trained on --data {trained_on}; its held-out {what} are there, "
                             f"not in '{data}'")  # fmt: skip
