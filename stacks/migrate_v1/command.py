"""The command line: `python -m stacks.migrate_v1 FILE [--name] [--compute] [--model]
[--instance-type] [--into STACKFILE]`. Exit codes: 0 done; 2 the v1 file, a flag's value or the
stack file is invalid (or a name already exists there); 64 a wrong command line; 74 the output
or the stack file could not be written; 130 Ctrl-C; 141 the reader of stdout went away."""

from __future__ import annotations

from pathlib import Path

from common import cli
from stacks.migrate_v1.mapping import migrate
from stacks.migrate_v1.merge import merge_into
from stacks.migrate_v1.names import DEFAULT_COMPUTE, resolve
from stacks.migrate_v1.reading import MigrationError, read_v1
from stacks.migrate_v1.render import comments, render
from stacks.migrate_v1.stackfile import WriteFailed
from stacks.migrate_v1.text import printable

PROG = "python -m stacks.migrate_v1"
INVALID = 2
DOC = "docs/migrate.md"


def parser() -> cli.Parser:
    parser = cli.Parser(
        prog=PROG,
        description="v1 AKS web service settings (a deployment configuration, or what az ml "
        "service show prints) to this stack's v2 instanceTypes and endpoints, printed as YAML "
        "to paste under config: with a comment for every mapping and its source.",
        epilog=f"Every accepted v1 key (both spellings), what it maps to, the v1 defaults, what "
        f"has no v2 equivalent, the exit codes and an example: {DOC}.",
    )
    parser.add_argument("file", help="the v1 file: JSON (by its .json suffix) or YAML")
    parser.add_argument(
        "--name",
        help="the v2 endpoint name (default: the file's name, as az ml service show prints it)",
    )
    parser.add_argument(
        "--compute",
        help="the v2 Kubernetes compute (computes[].name; default: the file's computeName or "
        f"compute_target_name, else {DEFAULT_COMPUTE})",
    )
    parser.add_argument(
        "--model",
        help="the workspace model the v1 service served, azureml:NAME:VERSION or NAME:VERSION "
        "(default: the file's models, modelIds or modelDetails)",
    )
    parser.add_argument(
        "--instance-type", help="the instance type's name (default: the endpoint name + '-v1')"
    )
    parser.add_argument(
        "--into",
        metavar="STACKFILE",
        help="add the settings to this stack file (Pulumi.<stack>.yaml) instead of printing "
        "them: only the comments are printed; the file is validated, then replaced atomically",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    shown = printable(args.file)
    try:
        v1 = read_v1(Path(args.file), shown)
        names = resolve(
            v1,
            name=args.name,
            compute=args.compute,
            model=args.model,
            instance_type=args.instance_type,
        )
        migration = migrate(v1, names)
        if args.into is None:
            cli.write(render(migration, Path(args.file).name))
            return 0
        merged = merge_into(Path(args.into), printable(args.into), migration, names)
    except MigrationError as err:
        for line in err.lines():
            cli.warn(f"migrate_v1: {line}")
        return INVALID
    except WriteFailed as err:
        cli.warn(f"migrate_v1: {printable(str(err))}")
        return cli.OUTPUT_FAILED
    cli.write("\n".join(comments(migration, Path(args.file).name, merged)) + "\n")
    return 0
