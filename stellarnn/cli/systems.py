"""``train``, ``evaluate`` and ``predict`` as groups of one sub-command per registered system.

The sub-commands are built when asked for, from the registry: each is a verb's command function with the system
bound and only the options that system's library function takes, so ``stellarnn train hr --help`` lists hr's
options alone and a new system needs a registry entry, not a CLI edit.
"""

import inspect

import typer
from typer.core import TyperGroup


def bound(function, system: str, options, help_text: str):
    """A click command running ``function(system=system, ...)`` with only ``options`` among its parameters."""
    signature = inspect.signature(function)
    kept = [p for name, p in signature.parameters.items() if name != "system" and name in options]

    def command(**given):
        return function(system=system, **given)

    command.__signature__ = signature.replace(parameters=kept)
    command.__doc__ = help_text
    return single(command, system)


def single(function, name: str):
    """The click command Typer makes of one function."""
    app = typer.Typer(add_completion=False)
    app.command(name)(function)
    return typer.main.get_command(app)


class SystemCommands(TyperGroup):
    """Sub-commands for the systems whose registry entry fills ``role``; subclasses name the verb's command
    function (``system`` and the options of every system) and the options every system's command has."""

    role: str
    always: tuple[str, ...] = ()

    @staticmethod
    def function(system: str, **options):
        raise NotImplementedError

    def list_commands(self, ctx) -> list[str]:
        from stellarnn.models.registry import systems

        return [name for name, spec in systems().items() if getattr(spec, self.role)]

    def get_command(self, ctx, name: str):
        from stellarnn.models.registry import systems

        spec = systems().get(name)
        if spec is None or not getattr(spec, self.role):
            return None
        takes = inspect.signature(spec.load(self.role)).parameters
        help_text = f"{spec.description}.\n\n{inspect.getdoc(self.function) or ''}"
        return bound(self.function, name, {*takes, *self.always}, help_text)
