"""Hosts a Python policy pack as `python -m pulumi.policy` does, with its config from stdin.

The pulumi CLI hands a pack the stack's config in the PULUMI_CONFIG environment variable, which
Linux caps at 128 KiB per variable at exec time. preflight pipes the same JSON to this host
instead, which sets the variable inside its own process (no exec, no cap) and then runs the SDK's
policy host unchanged: the pack cannot tell the difference.
"""

from __future__ import annotations

import json
import os
import runpy
import sys

from preflight.sdk import POLICY_HOST_MODULE


def main() -> None:
    config = json.load(sys.stdin.buffer)
    os.environ["PULUMI_CONFIG"] = json.dumps(config)
    # As the CLI starts it: the engine address (unused by the Python host) and the pack directory.
    sys.argv = [POLICY_HOST_MODULE, "127.0.0.1:0", "."]
    runpy.run_module(POLICY_HOST_MODULE, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
