"""Hosts a Python policy pack as `python -m pulumi.policy` does, with its config from stdin.

The pulumi CLI hands a pack the stack's config in the PULUMI_CONFIG environment variable, which
Linux caps at 128 KiB per variable at exec time. preflight pipes the same JSON to this host
instead, which sets the variable inside its own process (no exec, no cap) and then runs the SDK's
policy host unchanged: the pack cannot tell the difference.

The engine starts a pack per stack; `fleet check` analyzes many stacks with one pack. At
ConfigureStack (the first call of every stack's analysis) this host sets the PULUMI_PROJECT,
PULUMI_STACK and PULUMI_CONFIG that stack's own pack would have started with, so each stack sees
exactly what a pack of its own would (for a single stack they are the ones it started with).
"""

from __future__ import annotations

import json
import os
import runpy
import sys

from preflight import sdk
from preflight.sdk import POLICY_HOST_MODULE


def _per_stack() -> None:
    servicer = sdk.policy_servicer()
    configure_stack = servicer.ConfigureStack

    def configured(self, request, context):
        # The environment is what the SDK and the pack read per call (the SDK's runtime
        # settings are context variables, unset in the gRPC threads that analyze).
        os.environ.update(
            PULUMI_PROJECT=request.project,
            PULUMI_STACK=request.stack,
            PULUMI_CONFIG=json.dumps(dict(request.config)),
        )
        return configure_stack(self, request, context)

    servicer.ConfigureStack = configured


def main() -> None:
    config = json.load(sys.stdin.buffer)
    os.environ["PULUMI_CONFIG"] = json.dumps(config)
    _per_stack()
    # As the CLI starts it: the engine address (unused by the Python host) and the pack directory.
    sys.argv = [POLICY_HOST_MODULE, "127.0.0.1:0", "."]
    runpy.run_module(POLICY_HOST_MODULE, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
