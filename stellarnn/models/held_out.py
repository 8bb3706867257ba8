"""Evaluating a stored model on the held-out part of the data it was trained on (spectra, cluster): a request for
other data is refused the same way for every such system."""

from stellarnn.errors import UserInputError


def check_request(system: str, what: str, artifact, data: str) -> None:
    """``what`` names the held-out items ('spectra', 'clusters')."""
    trained_on = artifact.card["data"]["source"]
    if data != trained_on:
        raise UserInputError(f"{artifact.id} was trained on data '{trained_on}'; its held-out {what} are there, "
                             f"not in '{data}'")  # fmt: skip
