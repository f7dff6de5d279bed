"""The one error type for bad input anywhere in `router`."""


class InputError(ValueError):
    """Invalid input. `field` names the setting or argument so the CLI can point at its option."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


def show(value: object) -> str:
    """A value as the user typed it: -3 rather than -3.0, strings quoted."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def amount(value: float) -> str:
    """A bound as people read it: 1,000,000 rather than 1e+06."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"
