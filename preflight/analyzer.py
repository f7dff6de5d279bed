"""Drives a policy pack the way the pulumi engine does, over Pulumi's analyzer gRPC protocol.

The pack runs as the CLI runs it (`python -m pulumi.policy <engine> .` in its directory with the
PULUMI_* environment; preflight/packhost.py pipes the config in); its first stdout line is its
port. Then, as the engine does (pkg/resource/analyzer, pkg/resource/deploy):

- GetPluginInfo, GetAnalyzerInfo; the policy config reconciled (each policy's level and schema
  defaults, then the pack's initial config, then the `--policy-config` file, "all" first) and
  validated against each policy's schema, with gojsonschema's messages; Configure; ConfigureStack
  with the stack's tags.
- For each registered resource (reads excluded): Remediate, whose new properties replace the
  inputs, then Analyze on the remediated inputs. A violation is the analyzed resource's, whatever
  URN the pack puts on it; a remediate-level violation counts as mandatory.
- AnalyzeStack once, with every resource's outputs, parent, dependencies and provider, the stack
  resource with the stack's outputs. A violation's URN is kept when it names a resource of the
  stack, else it is the stack's.
- A policy that cannot run at preview (a value it reads is unknown) is reported as the pack
  reports it: advisory, message unchanged; `unevaluated` marks it, and `--strict` fails on one
  whose policy is mandatory or remediate.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jsonschema
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2

from preflight import processes
from preflight.plan import Graph, Resource
from preflight.sdk import ROOT_STACK_TYPE, analyzer_pb2, analyzer_pb2_grpc
from preflight.stackfile import MAX_DEPTH, StackFileError, depth, read_bounded

LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVEL_CODES = {v: k for k, v in LEVELS.items()}
SEVERITIES = {0: "unspecified", 1: "low", 2: "medium", 3: "high", 4: "critical"}
_CANT_RUN = re.compile(
    r"^can't run (policy|remediation) '([^']+)' from policy pack '[^']*' during preview: "
)
MAX_POLICY_CONFIG_BYTES = 1024 * 1024
_MAX_MESSAGE = 512 * 1024 * 1024
_GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.max_send_message_length", _MAX_MESSAGE),
]


class PolicyPackError(Exception):
    """The pack could not start, crashed, or failed while analyzing."""


class PolicyConfigError(Exception):
    """The policy config is malformed, or does not validate against a policy's schema (be it the
    file's values, the pack's initial config or the schema's own defaults). `problems` are
    (where, message) pairs."""

    def __init__(self, message: str, problems: list[tuple[str, str]]):
        super().__init__(message)
        self.problems = problems


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
    remediations: list[dict[str, str]] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]

    @property
    def unevaluated_gates(self) -> list[Violation]:
        """Policies that gate (mandatory or remediate) but could not be evaluated at preview."""
        levels = {p["name"]: p["enforcementLevel"] for p in self.policies}
        return [
            v
            for v in self.violations
            if v.unevaluated and levels.get(v.policy) in ("mandatory", "remediate")
        ]


def load_policy_config(path: str | None) -> dict[str, dict[str, Any]]:
    """The `--policy-pack-config` JSON format, parsed as the engine parses it: policy (or "all")
    -> level, or an object whose optional `enforcementLevel` is a level and whose other keys are
    the policy's properties. Empty files are allowed."""
    if not path:
        return {}
    try:
        text = read_bounded(Path(path), path, MAX_POLICY_CONFIG_BYTES)
    except StackFileError as err:
        raise PolicyConfigError(f"{path}: {err.message}", [("file", err.message)]) from None
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        why = f"not valid JSON: {err}" if isinstance(err, ValueError) else "nested too deeply"
        raise PolicyConfigError(f"{path}: {why}", [("file", why)]) from None
    if depth(raw) > MAX_DEPTH:
        why = f"nested deeper than {MAX_DEPTH} levels"
        raise PolicyConfigError(f"{path}: {why}", [("file", why)])
    if not isinstance(raw, dict):
        why = "must be a JSON object of policy name -> enforcement level or settings"
        raise PolicyConfigError(f"{path}: {why}", [("file", why)])
    out: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            value = {"enforcementLevel": value}
        if not isinstance(value, dict):
            why = f"{json.dumps(value)} is not a valid value; must be a string or object"
            raise PolicyConfigError(f"{path}: {name}: {why}", [(name, why)])
        value = dict(value)
        if "enforcementLevel" in value:
            level = value["enforcementLevel"]
            if not isinstance(level, str) or level not in LEVEL_CODES:
                why = (
                    f"enforcementLevel {json.dumps(level)} is not a valid enforcement level; "
                    f"use one of {', '.join(LEVEL_CODES)}"
                )
                raise PolicyConfigError(f"{path}: {name}: {why}", [(name, why)])
        out[name] = value
    return out


class PolicyPack:
    """A policy pack process and, once `connect`ed, its gRPC stub. It is started before the
    program runs, so its start-up (imports, policies) overlaps the program's."""

    def __init__(self, directory: Path, project: str, stack: str, config: dict[str, str]):
        self.directory = directory
        if not (directory / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{directory}: not a policy pack (no PulumiPolicy.yaml)")
        env = dict(
            os.environ,
            PULUMI_PROJECT=project,
            PULUMI_STACK=stack,
            PULUMI_DRY_RUN="true",
            PULUMI_ORGANIZATION="organization",
            PYTHONPATH=os.pathsep.join(
                filter(
                    None,
                    [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")],
                )
            ),
        )
        env.pop("PULUMI_CONFIG", None)
        try:
            self.process = processes.start(
                [sys.executable, "-u", "-m", "preflight.packhost"], env=env, cwd=str(directory)
            )
        except OSError as err:
            raise PolicyPackError(f"{directory}: cannot start the policy pack: {err}") from None
        self.channel = None
        self._stderr = processes.Tail(self.process.stderr)
        payload = json.dumps(config).encode()

        def feed():
            with contextlib.suppress(OSError):  # it died at once; its stderr tells why
                self.process.stdin.write(payload)
                self.process.stdin.close()

        threading.Thread(target=feed, daemon=True).start()

    def connect(self, timeout: float) -> None:
        port = self._read_port(timeout)
        self._stdout = processes.Tail(self.process.stdout)  # keep draining what it prints
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_OPTIONS)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _read_port(self, timeout: float) -> int:
        first: list[bytes] = []
        reader = threading.Thread(
            target=lambda: first.append(self.process.stdout.readline()), daemon=True
        )
        reader.start()
        reader.join(timeout)
        text = first[0].decode(errors="replace").strip() if first else ""
        if text.isdigit() and 0 < int(text) < 65536:
            return int(text)
        self.close()
        if not first:
            why = f"it printed no port within {timeout:g} s"
        elif text:
            why = f"it printed {text[:200]!r} where the engine reads its port"
        else:
            why = self.failure()
        raise PolicyPackError(f"{self.directory}: the policy pack did not start: {why}")

    def failure(self) -> str:
        """The pack's own last words, without its traceback: 'file:line: Error: message'."""
        return (
            summarize_traceback(self._stderr.text(), self.directory) or "it exited without a port"
        )

    def call(self, method: str, request, timeout: float) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=timeout)
        except grpc.RpcError as err:
            code = err.code() if hasattr(err, "code") else None
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise PolicyPackError(
                    f"{self.directory}: {method} did not answer within {timeout:g} s"
                ) from None
            detail = err.details() if hasattr(err, "details") else str(err)
            raise PolicyPackError(
                f"{self.directory}: {method} failed: {_last_line(detail or '') or code}"
            ) from None

    def close(self) -> None:
        processes.kill_group(self.process)
        if self.channel is not None:
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


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration_seconds(text: str) -> float:
    """A Go duration string ("5m", "1h30m") in seconds, as the engine parses customTimeouts."""
    return sum(float(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION.findall(text or ""))


def _options(r: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    o = r.options
    timeouts = o.get("customTimeouts") or {}
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(o.get("protect")),
        ignoreChanges=o.get("ignoreChanges", []),
        deleteBeforeReplace=bool(o.get("deleteBeforeReplace")),
        deleteBeforeReplaceDefined=bool(o.get("deleteBeforeReplaceDefined")),
        additionalSecretOutputs=o.get("additionalSecretOutputs", []),
        aliases=[a for a in o.get("aliases", []) if isinstance(a, str)],
        parent=r.parent,
    )
    if timeouts:
        options.customTimeouts.CopyFrom(
            analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
                **{k: duration_seconds(v) for k, v in timeouts.items()}
            )
        )
    return options


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


def reconcile(
    info, initial: dict[str, dict], file_config: dict[str, dict]
) -> dict[str, dict[str, Any]]:
    """Each policy's effective config, as ReconcilePolicyPackConfig builds it: the policy's level
    and its schema's defaults, then the pack's initial config, then the file; in each layer "all"
    sets every level first."""
    names = [p.name for p in info.policies]
    unknown = sorted(set(file_config) - set(names) - {"all"})
    if unknown:
        # The engine ignores such a key; a gate should not let a misspelt policy name pass.
        raise PolicyConfigError(
            f"unknown policy '{unknown[0]}' in the policy config; the pack has: {', '.join(names)}",
            [(unknown[0], "unknown policy")],
        )
    out: dict[str, dict[str, Any]] = {}
    for p in info.policies:
        schema = json_format.MessageToDict(p.configSchema.properties)
        out[p.name] = {"enforcementLevel": LEVELS[p.enforcementLevel]} | {
            k: v["default"] for k, v in schema.items() if isinstance(v, dict) and "default" in v
        }
    for layer in (initial, file_config):
        if "all" in layer and "enforcementLevel" in layer["all"]:
            for config in out.values():
                config["enforcementLevel"] = layer["all"]["enforcementLevel"]
        for name, given in layer.items():
            if name in out:
                out[name].update(given)
    return out


def validate(info, effective: dict[str, dict[str, Any]]) -> None:
    """Each policy's properties against its config schema, reported as the engine reports."""
    problems: list[tuple[str, str]] = []
    for p in info.policies:
        if not p.HasField("configSchema"):
            continue
        schema: dict[str, Any] = {"type": "object"}
        properties = json_format.MessageToDict(p.configSchema.properties)
        if properties:
            schema["properties"] = properties
        if p.configSchema.required:
            schema["required"] = list(p.configSchema.required)
        props = {k: v for k, v in effective[p.name].items() if k != "enforcementLevel"}
        try:
            errors = list(jsonschema.Draft7Validator(schema).iter_errors(props))
        except (jsonschema.SchemaError, RecursionError) as err:
            problems.append((p.name, f"invalid config schema: {str(err).splitlines()[0]}"))
            continue
        problems += sorted((p.name, _gojsonschema_message(e)) for e in errors)
    if problems:
        lines = [f"{info.name} {info.version}  {name}: {message}" for name, message in problems]
        raise PolicyConfigError("validating policy config: " + "; ".join(lines), problems)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def _gojsonschema_message(error: jsonschema.ValidationError) -> str:
    """jsonschema's error in gojsonschema's words, as `pulumi preview` prints them."""
    where = ".".join(str(p) for p in error.absolute_path)
    name = where.rsplit(".", 1)[-1] if where else "(root)"
    expected = error.validator_value
    if isinstance(expected, float) and expected.is_integer():
        expected = int(expected)  # a Struct carries every number as a double
    text = {
        "type": lambda: f"Invalid type. Expected: {expected}, given: {_json_type(error.instance)}",
        "maxLength": lambda: f"String length must be less than or equal to {expected}",
        "minLength": lambda: f"String length must be greater than or equal to {expected}",
        "enum": lambda: (
            f"{name} must be one of the following: " + ", ".join(json.dumps(v) for v in expected)
        ),
        "const": lambda: f"{name} does not match: {json.dumps(expected)}",
        "minimum": lambda: f"Must be greater than or equal to {expected}",
        "maximum": lambda: f"Must be less than or equal to {expected}",
        "pattern": lambda: f"Does not match pattern '{expected}'",
    }
    if error.validator == "required":
        missing = re.match(r"'([^']*)' is a required property", error.message)
        return f"{missing.group(1) if missing else error.message} is required"
    message = text[error.validator]() if error.validator in text else error.message
    return f"{where}: {message}" if where else message


def analyze(
    graph: Graph,
    pack: PolicyPack,
    config: dict[str, str],
    secret_keys: list[str],
    policy_config: dict[str, dict[str, Any]],
    tags: dict[str, str],
    timeout: float,
) -> Analysis:
    """Analyze the graph with a started pack; the caller closes the pack."""
    pack.connect(timeout)
    return _analyze(pack, graph, config, secret_keys, policy_config, tags, timeout)


def _analyze(pack, graph, config, secret_keys, policy_config, tags, timeout) -> Analysis:
    pack.call("GetPluginInfo", empty_pb2.Empty(), timeout)
    info = pack.call("GetAnalyzerInfo", empty_pb2.Empty(), timeout)
    initial = {
        k: {
            "enforcementLevel": LEVELS[v.enforcementLevel],
            **json_format.MessageToDict(v.properties),
        }
        for k, v in info.initialConfig.items()
    }
    effective = reconcile(info, initial, policy_config)
    validate(info, effective)
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, values in effective.items():
        props = {k: v for k, v in values.items() if k != "enforcementLevel"}
        request.policyConfig[name].CopyFrom(
            analyzer_pb2.PolicyConfig(
                enforcementLevel=LEVEL_CODES[values["enforcementLevel"]],
                properties=_struct(props),
            )
        )
    pack.call("Configure", request, timeout)
    with contextlib.suppress(PolicyPackError):  # packs older than stack tags lack it
        pack.call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=graph.stack,
                project=graph.project,
                organization="organization",
                dry_run=True,
                config=config,
                config_secret_keys=secret_keys,
                tags=tags,
            ),
            timeout,
        )

    levels = {name: values["enforcementLevel"] for name, values in effective.items()}
    analysis = Analysis(
        info.name,
        _pack_version(pack.directory) or info.version,
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
    # The SDK's Remediate runs only remediate-level policies: without one it answers nothing.
    remediating = "remediate" in levels.values()
    outputs: dict[str, dict[str, Any]] = {}
    for r in analyzed:
        inputs = r.inputs
        if remediating:
            inputs = _remediate(pack, r, by_urn, analysis, timeout)
            if inputs is not r.inputs and r.custom:
                outputs[r.urn] = inputs  # a preview's outputs are the (remediated) inputs
        response = pack.call(
            "Analyze",
            analyzer_pb2.AnalyzeRequest(
                type=r.type,
                properties=_struct(inputs),
                urn=r.urn,
                name=r.name,
                options=_options(r),
                provider=_provider(r, by_urn),
            ),
            timeout,
        )
        analysis.violations += [_violation(d, r.urn) for d in response.diagnostics]
    stack_request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                properties=_struct(outputs.get(r.urn, r.outputs)),
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
    response = pack.call("AnalyzeStack", stack_request, timeout)
    stack_urn = next((r.urn for r in analyzed if r.type == ROOT_STACK_TYPE), graph.root_urn)
    known = {r.urn for r in analyzed}
    for d in response.diagnostics:
        analysis.violations.append(_violation(d, d.urn if d.urn in known else stack_urn))
    analysis.violations.sort(
        key=lambda v: (v.enforcement_level != "mandatory", v.policy, v.urn, v.message)
    )
    return analysis


def _remediate(pack, r: Resource, by_urn, analysis: Analysis, timeout: float) -> dict[str, Any]:
    response = pack.call(
        "Remediate",
        analyzer_pb2.AnalyzeRequest(
            type=r.type,
            properties=_struct(r.inputs),
            urn=r.urn,
            name=r.name,
            options=_options(r),
            provider=_provider(r, by_urn),
        ),
        timeout,
    )
    inputs = r.inputs
    for remediation in response.remediations:
        if remediation.diagnostic:
            # As the engine shows it: an advisory note, the pack's words unchanged.
            analysis.violations.append(
                Violation(
                    remediation.policyName,
                    "advisory",
                    "unspecified",
                    r.urn,
                    remediation.diagnostic,
                    unevaluated=True,
                )
            )
        elif remediation.HasField("properties"):  # as the engine: a diagnostic wins
            inputs = json_format.MessageToDict(remediation.properties)
            analysis.remediations.append({"policy": remediation.policyName, "urn": r.urn})
    return inputs


def _pack_version(pack_dir: Path) -> str | None:
    """The CLI prefers PulumiPolicy.yaml's version to the one the Python pack reports."""
    try:
        data = yaml.safe_load(read_bounded(pack_dir / "PulumiPolicy.yaml", "PulumiPolicy.yaml"))
    except (StackFileError, yaml.YAMLError):
        return None
    return str(data["version"]) if isinstance(data, dict) and data.get("version") else None


def _violation(d, urn: str) -> Violation:
    level = LEVELS.get(d.enforcementLevel, "advisory")
    if level == "remediate":
        level = "mandatory"  # still violating after remediation: the engine counts it mandatory
    message = d.message
    unevaluated = bool(_CANT_RUN.match(message))
    if not unevaluated and message.startswith(d.description + "\n"):
        message = message[len(d.description) + 1 :]
    return Violation(
        d.policyName,
        level,
        SEVERITIES.get(d.severity, "unspecified"),
        urn,
        message,
        unevaluated,
    )
