"""python -m router size | simulate: sizing and simulation from the command line.

Every option with a unit names it (`--request-time-ms`, `--polling-interval-s`), and the names
are the stack's (`--min-instances` is scaleSettings.minInstances): what `size --format json`
prints under `scaleSettings` and `requestSettings` pastes into a stack deployment as it is.

Exit codes: 0 done; 1 `size`'s simulation check found the recommended settings miss their goal;
2 invalid input (one line: `router: error: --option: problem`); 64 a bad command line; the
rest as common.cli says (74 output failed, 130 interrupted).
"""

from __future__ import annotations

import json

from common import cli
from router.cli import options, simulate, size
from router.inputs import InputError

INVALID = 2


def main(argv: list[str] | None = None) -> int:
    args = options.parser().parse_args(argv)
    command = size if args.command == "size" else simulate
    try:
        outcome = command.run(args)
    except InputError as error:
        cli.warn(f"router: error: {options.option(error.field)}: {error.problem}")
        return INVALID
    if args.format == "json":
        cli.write(json.dumps(outcome.data, sort_keys=True, indent=2) + "\n")
    else:
        cli.write("\n".join(outcome.lines) + "\n")
    return outcome.code
