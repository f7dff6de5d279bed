"""Everything preflight takes from Pulumi SDK internals, in one place.

preflight drives the SDK's mock runtime and speaks the engine's gRPC protocols, which means
reaching past the SDK's public API: `pulumi.runtime.*` helpers, private functions, generated
protobuf modules and the policy host module. Each such name is imported here and nowhere else,
so an SDK upgrade has one file to re-verify. `WRITTEN_FOR` records the versions these imports were
checked against (requirements.txt pins the same); tests/preflight/test_sdk.py fails loudly when the
installed versions differ, naming this file.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

# Checked against these exact versions; a different one must be re-verified before it is trusted.
WRITTEN_FOR = {"pulumi": "3.272.0", "pulumi-policy": "1.21.0"}

try:
    from pulumi.runtime import mocks, rpc, set_all_config, set_mocks
    from pulumi.runtime.proto import alias_pb2, analyzer_pb2, analyzer_pb2_grpc, resource_pb2
    from pulumi.runtime.settings import get_project, get_root_resource, get_stack
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await as sync_await
except ImportError as err:  # pragma: no cover - only on an SDK this module was not written for
    raise ImportError(
        f"preflight/sdk.py: the installed Pulumi SDK lacks an internal preflight uses ({err}); "
        f"preflight was written for {WRITTEN_FOR}: install those (requirements.txt) or re-verify "
        "preflight/sdk.py against the new SDK"
    ) from None

# The module the pulumi CLI runs to host a Python policy pack (`python -m pulumi.policy`).
POLICY_HOST_MODULE = "pulumi.policy"


def policy_servicer() -> Any:
    """The policy SDK's analyzer servicer class (imported when asked: only a pack host needs it)."""
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    return _PolicyAnalyzerServicer


# Engine sentinels in wire-shaped property values (sdk/go/common/resource/plugin/rpc.go and
# sdk/python/lib/pulumi/runtime/rpc.py).
UNKNOWN = rpc.UNKNOWN
SIG = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig
# Stack resource type token, as the engine registers the root resource.
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"

__all__ = [
    "POLICY_HOST_MODULE",
    "ROOT_STACK_TYPE",
    "SECRET_SIG",
    "SIG",
    "UNKNOWN",
    "WRITTEN_FOR",
    "alias_pb2",
    "analyzer_pb2",
    "analyzer_pb2_grpc",
    "get_project",
    "get_root_resource",
    "get_stack",
    "mocks",
    "policy_servicer",
    "resource_pb2",
    "rpc",
    "run_pulumi_func",
    "set_all_config",
    "set_mocks",
    "sync_await",
    "version_mismatches",
]


def version_mismatches() -> list[str]:
    """One line per SDK distribution whose installed version is not the one this was written for."""
    out = []
    for dist, wanted in WRITTEN_FOR.items():
        try:
            installed = metadata.version(dist)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != wanted:
            out.append(f"{dist}: installed {installed}, preflight/sdk.py was written for {wanted}")
    return out
