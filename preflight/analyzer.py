"""Drives a policy pack the way the pulumi CLI does, over Pulumi's analyzer gRPC protocol.

The pack runs as `python -u -m pulumi.policy <engine> .` in its own directory with the
PULUMI_* environment the CLI sets; its first stdout line is its port. Then, as the engine does:
GetPluginInfo, GetAnalyzerInfo, Configure (the policies' defaults, the pack's initial config and
the policy config file reconciled), Analyze for each registered resource with its inputs (reads
excluded), and AnalyzeStack once with every resource's outputs, parents and dependencies.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from preflight.plan import Graph, Resource

LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVEL_CODES = {v: k for k, v in LEVELS.items()}
SEVERITIES = {0: "unspecified", 1: "low", 2: "medium", 3: "high", 4: "critical"}
_CANT_RUN = re.compile(
    r"^can't run policy '([^']+)' from policy pack '[^']*' during preview: (.*)$", re.S
)
START_TIMEOUT_S = 60
RPC_TIMEOUT_S = 60


class PolicyPackError(Exception):
    """The pack could not start, crashed, or failed while analyzing."""


class PolicyConfigError(Exception):
    """The policy config file is malformed or names an unknown policy."""


@dataclass
class Violation:
    policy: str
    enforcement_level: str
    severity: str
    urn: str
    message: str
    unevaluated: bool = False  # a value was unknown at preview, so the policy could not run

    def as_json(self) -> dict[str, Any]:
        out = {
            "policy": self.policy,
            "enforcementLevel": self.enforcement_level,
            "severity": self.severity,
            "urn": self.urn,
            "message": self.message,
        }
        if self.unevaluated:
            out["unevaluated"] = True
        return out


@dataclass
class Analysis:
    pack: str
    version: str
    policies: list[dict[str, Any]]
    violations: list[Violation] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]


def load_policy_config(path: str | None) -> dict[str, dict[str, Any]]:
    """The `--policy-pack-config` JSON format: policy (or "all") -> level or {enforcementLevel,..}."""
    if not path:
        return {}
    try:
        raw = json.loads(Path(path).read_text() or "{}")
    except (OSError, json.JSONDecodeError) as err:
        raise PolicyConfigError(f"{path}: cannot read policy config: {err}") from None
    if not isinstance(raw, dict):
        raise PolicyConfigError(f"{path}: must be a JSON object of policy name -> settings")
    out: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            value = {"enforcementLevel": value}
        if not isinstance(value, dict):
            raise PolicyConfigError(f"{path}: {name}: must be an enforcement level or an object")
        level = value.get("enforcementLevel")
        if level is not None and level not in LEVEL_CODES:
            raise PolicyConfigError(
                f"{path}: {name}.enforcementLevel: '{level}' is not one of {', '.join(LEVEL_CODES)}"
            )
        out[name] = dict(value)
    return out


class PolicyPack:
    """A running policy pack process and its gRPC stub."""

    def __init__(self, directory: Path, project: str, stack: str, config: dict[str, str]):
        self.directory = directory
        env = dict(
            os.environ,
            PULUMI_CONFIG=json.dumps(config),
            PULUMI_PROJECT=project,
            PULUMI_STACK=stack,
            PULUMI_DRY_RUN="true",
            PULUMI_ORGANIZATION="organization",
        )
        if not (directory / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{directory}: not a policy pack (no PulumiPolicy.yaml)")
        # The engine address is unused by the Python pack host; the CLI passes it first.
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", "."],
            cwd=directory,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._stderr: list[bytes] = []
        threading.Thread(
            target=lambda: self._stderr.extend(self.process.stderr), daemon=True
        ).start()
        port = self._read_port()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _read_port(self) -> int:
        line: list[bytes] = []
        timer = threading.Timer(START_TIMEOUT_S, self.close)
        timer.start()
        try:
            line = [self.process.stdout.readline()]
        finally:
            timer.cancel()
        text = line[0].decode(errors="replace").strip()
        if not text.isdigit() or not 0 < int(text) < 65536:
            self.process.wait(timeout=10)
            raise PolicyPackError(
                f"{self.directory}: the policy pack did not start: {self.failure()}"
            )
        return int(text)

    def failure(self) -> str:
        """The pack's own last words, without its traceback: 'file:line: Error: message'."""
        text = b"".join(self._stderr).decode(errors="replace")
        return summarize_traceback(text, self.directory) or "it exited without a port"

    def call(self, method: str, request) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=RPC_TIMEOUT_S)
        except grpc.RpcError as err:
            detail = err.details() if hasattr(err, "details") else str(err)
            raise PolicyPackError(
                f"{self.directory}: {method} failed: {_last_line(detail or '')}"
            ) from None

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if hasattr(self, "channel"):
            self.channel.close()


def summarize_traceback(text: str, directory: Path) -> str:
    location = ""
    for match in re.finditer(r'File "([^"]+)", line (\d+)', text):
        path = Path(match.group(1))
        if path.is_relative_to(directory.resolve()) or path.is_relative_to(directory):
            location = f"{path.name}:{match.group(2)}: "
    return f"{location}{_last_line(text)}".strip()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception|Exit|Interrupt)\b.*", line) or ": " in line:
            return line
    return lines[-1] if lines else ""


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(value, struct)
    return struct


def _options(r: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    o = r.options
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(o.get("protect")),
        ignoreChanges=o.get("ignoreChanges", []),
        deleteBeforeReplace=bool(o.get("deleteBeforeReplace")),
        additionalSecretOutputs=o.get("additionalSecretOutputs", []),
        aliases=[a for a in o.get("aliases", []) if isinstance(a, str)],
        parent=r.parent,
    )


def _provider(
    r: Resource, by_urn: dict[str, Resource]
) -> analyzer_pb2.AnalyzerProviderResource | None:
    if not r.provider:
        return None
    urn = r.provider.rsplit("::", 1)[0]
    p = by_urn.get(urn)
    return analyzer_pb2.AnalyzerProviderResource(
        urn=urn,
        type=p.type if p else "",
        name=p.name if p else "",
        properties=_struct(p.inputs if p else {}),
    )


def reconcile(info, initial: dict[str, dict], file_config: dict[str, dict]) -> dict[str, dict]:
    """Each policy's effective config: its own level, then the pack's initial config, then the
    file; the file's "all" sets every level."""
    names = [p.name for p in info.policies]
    unknown = sorted(set(file_config) - set(names) - {"all"})
    if unknown:
        raise PolicyConfigError(
            f"unknown policy '{unknown[0]}' in the policy config; the pack has: {', '.join(names)}"
        )
    out = {}
    for p in info.policies:
        config: dict[str, Any] = {"enforcementLevel": LEVELS[p.enforcementLevel]}
        for layer in (
            initial.get(p.name, {}),
            file_config.get("all", {}),
            file_config.get(p.name, {}),
        ):
            config.update(layer)
        out[p.name] = config
    return out


def analyze(
    graph: Graph, pack_dir: Path, config: dict[str, str], policy_config: dict[str, dict[str, Any]]
) -> Analysis:
    pack = PolicyPack(pack_dir, graph.project, graph.stack, config)
    try:
        pack.call("GetPluginInfo", empty_pb2.Empty())
        info = pack.call("GetAnalyzerInfo", empty_pb2.Empty())
        initial = {
            k: {
                "enforcementLevel": LEVELS[v.enforcementLevel],
                **json_format.MessageToDict(v.properties),
            }
            for k, v in info.initialConfig.items()
        }
        effective = reconcile(info, initial, policy_config)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, values in effective.items():
            props = {k: v for k, v in values.items() if k != "enforcementLevel"}
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(
                    enforcementLevel=LEVEL_CODES[values["enforcementLevel"]],
                    properties=_struct(props),
                )
            )
        pack.call("Configure", request)

        levels = {name: values["enforcementLevel"] for name, values in effective.items()}
        analysis = Analysis(
            info.name,
            _pack_version(pack_dir) or info.version,
            [
                {
                    "name": p.name,
                    "description": p.description,
                    "enforcementLevel": levels[p.name],
                    "severity": SEVERITIES.get(p.severity, "unspecified"),
                    "url": p.url,
                    "remediationSteps": p.remediation_steps,
                }
                for p in info.policies
            ],
        )
        by_urn = graph.by_urn()
        analyzed = [r for r in graph.resources if r.analyzed]
        for r in analyzed:
            response = pack.call(
                "Analyze",
                analyzer_pb2.AnalyzeRequest(
                    type=r.type,
                    properties=_struct(r.inputs),
                    urn=r.urn,
                    name=r.name,
                    options=_options(r),
                    provider=_provider(r, by_urn),
                ),
            )
            analysis.violations += _violations(response, r.urn, levels)
        stack_request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                analyzer_pb2.AnalyzerResource(
                    type=r.type,
                    properties=_struct(r.outputs),
                    urn=r.urn,
                    name=r.name,
                    options=_options(r),
                    provider=_provider(r, by_urn),
                    parent=r.parent,
                    dependencies=r.dependencies,
                    propertyDependencies={
                        k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                        for k, v in r.property_dependencies.items()
                    },
                )
                for r in analyzed
            ]
        )
        response = pack.call("AnalyzeStack", stack_request)
        analysis.violations += _violations(response, graph.root_urn, levels)
    finally:
        pack.close()
    analysis.violations.sort(
        key=lambda v: (v.enforcement_level != "mandatory", v.policy, v.urn, v.message)
    )
    return analysis


def _pack_version(pack_dir: Path) -> str | None:
    """The CLI prefers PulumiPolicy.yaml's version to the one the Python pack reports."""
    import yaml

    try:
        data = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return None
    return str(data["version"]) if isinstance(data, dict) and data.get("version") else None


def _violations(response, default_urn: str, levels: dict[str, str]) -> list[Violation]:
    out = []
    for d in response.diagnostics:
        level = LEVELS.get(d.enforcementLevel, "advisory")
        message = d.message
        unevaluated = False
        cant_run = _CANT_RUN.match(message)
        if cant_run:
            # The SDK reports a policy it could not run as advisory; a gate must not lose a
            # mandatory policy that way, so it keeps the policy's own level.
            level = levels.get(cant_run.group(1), level)
            message = f"could not be evaluated at preview: {cant_run.group(2)}"
            unevaluated = True
        elif message.startswith(d.description + "\n"):
            message = message[len(d.description) + 1 :]
        out.append(
            Violation(
                d.policyName,
                level,
                SEVERITIES.get(d.severity, "unspecified"),
                d.urn or default_urn,
                message,
                unevaluated,
            )
        )
    return out
