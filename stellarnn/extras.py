"""Optional dependencies: a plain install runs the physics; the neural networks, Dask, the tuner and the built-in
population come with extras. A missing one is a single line naming the extra that installs it, not a traceback."""

from importlib import import_module
from importlib.util import find_spec

from stellarnn.errors import UserInputError


def need(module: str, extra: str, what: str, load: bool = True):
    """``module`` imported, or UserInputError naming ``extra``. ``load=False`` only checks that it is installed,
    for callers that must not import it yet (Keras reads its backend at import; COSMIC forks workers)."""
    try:
        if not load:
            if find_spec(module) is None:
                raise ModuleNotFoundError(name=module)
            return None
        return import_module(module)
    except ModuleNotFoundError as exc:  # also a dependency of the module (Keras without its backend package)
        missing = (exc.name or module).split(".")[0]
        raise UserInputError(
            f"{what} needs the '{extra}' extra ({missing} is not installed): pip install 'stellarnn[{extra}]'"
        ) from None
