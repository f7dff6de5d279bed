"""Drives a policy pack the way the pulumi engine does, over Pulumi's analyzer gRPC protocol.

The pack process is preflight/pack/process.py's; the config layers are preflight/pack/policyconfig.py's.
As the engine does (pkg/resource/analyzer, pkg/resource/deploy):

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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2

from common import files
from preflight.pack.policyconfig import LEVEL_CODES, LEVELS, reconcile, validate
from preflight.pack.process import PolicyPack, PolicyPackError
from preflight.report.plan import Graph, Resource
from preflight.sdk import ROOT_STACK_TYPE, analyzer_pb2

SEVERITIES = {0: "unspecified", 1: "low", 2: "medium", 3: "high", 4: "critical"}
_CANT_RUN = re.compile(
    r"^can't run (policy|remediation) '([^']+)' from policy pack '[^']*' during preview: "
)


@dataclass
class Violation:
    policy: str
    enforcement_level: str
    severity: str
    urn: str
    message: str
    unevaluated: bool = False  # a value was unknown at preview, so the policy could not run

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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


@dataclass(frozen=True)
class Configured:
    """A pack configured as the engine configures it: its name, version, policies (with their
    effective level) and levels, for as many stacks as are analyzed with it."""

    name: str
    version: str
    policies: list[dict[str, Any]]
    levels: dict[str, str]


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
    configured = configure(pack, policy_config, timeout)
    return analyze_graph(pack, configured, graph, config, secret_keys, tags, timeout)


def configure(
    pack: PolicyPack, policy_config: dict[str, dict[str, Any]], timeout: float
) -> Configured:
    """GetPluginInfo, GetAnalyzerInfo, the config reconciled and validated, Configure."""
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
    levels = {name: values["enforcementLevel"] for name, values in effective.items()}
    policies = [
        {
            "name": p.name,
            "description": p.description,
            "enforcementLevel": levels[p.name],
            "severity": SEVERITIES.get(p.severity, "unspecified"),
            "url": p.url,
            "remediationSteps": p.remediation_steps,
        }
        for p in info.policies
    ]
    return Configured(info.name, _pack_version(pack.directory) or info.version, policies, levels)


def analyze_graph(
    pack: PolicyPack,
    configured: Configured,
    graph: Graph,
    config: dict[str, str],
    secret_keys: list[str],
    tags: dict[str, str],
    timeout: float,
) -> Analysis:
    """ConfigureStack, then each resource (Remediate, Analyze), then AnalyzeStack."""
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
    analysis = Analysis(configured.name, configured.version, configured.policies)
    by_urn = graph.by_urn()
    analyzed = [r for r in graph.resources if r.analyzed]
    # The SDK's Remediate runs only remediate-level policies: without one it answers nothing.
    remediating = "remediate" in configured.levels.values()
    outputs: dict[str, dict[str, Any]] = {}
    for r in analyzed:
        inputs = r.inputs
        if remediating:
            inputs = _remediate(pack, r, by_urn, analysis, timeout)
            if inputs is not r.inputs and r.custom:
                outputs[r.urn] = inputs  # a preview's outputs are the (remediated) inputs
        response = pack.call("Analyze", _analyze_request(r, inputs, by_urn), timeout)
        analysis.violations += [_violation(d, r.urn) for d in response.diagnostics]
    response = pack.call("AnalyzeStack", _stack_request(analyzed, outputs, by_urn), timeout)
    stack_urn = next((r.urn for r in analyzed if r.type == ROOT_STACK_TYPE), graph.root_urn)
    known = {r.urn for r in analyzed}
    for d in response.diagnostics:
        analysis.violations.append(_violation(d, d.urn if d.urn in known else stack_urn))
    analysis.violations.sort(
        key=lambda v: (v.enforcement_level != "mandatory", v.policy, v.urn, v.message)
    )
    return analysis


def _analyze_request(
    r: Resource, inputs: dict[str, Any], by_urn: dict[str, Resource]
) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=r.type,
        properties=_struct(inputs),
        urn=r.urn,
        name=r.name,
        options=_options(r),
        provider=_provider(r, by_urn),
    )


def _stack_request(
    analyzed: list[Resource], outputs: dict[str, dict[str, Any]], by_urn: dict[str, Resource]
) -> analyzer_pb2.AnalyzeStackRequest:
    return analyzer_pb2.AnalyzeStackRequest(
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


def _remediate(pack, r: Resource, by_urn, analysis: Analysis, timeout: float) -> dict[str, Any]:
    response = pack.call(
        "Remediate",
        _analyze_request(r, r.inputs, by_urn),
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
        data = files.load_yaml(pack_dir / "PulumiPolicy.yaml", "PulumiPolicy.yaml")
    except files.InputFileError:
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
