"""`python -m stacks.migrate_v1`: exit codes and signals as every CLI of the project (common.cli)."""

from common import cli
from stacks.migrate_v1.command import main

if __name__ == "__main__":
    cli.exit_with(main)
