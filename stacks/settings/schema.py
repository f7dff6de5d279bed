"""The JSON Schema of stack files and docs/settings.md, both generated from the settings models.

`python -m stacks.settings.schema` rewrites stacks/schema.json and docs/settings.md;
`--check` exits 1 when either is stale (the test suite runs the same comparison). Editors that
read JSON Schema (e.g. the YAML language server) complete and validate `Pulumi.<stack>.yaml` with
it: add `# yaml-language-server: $schema=schema.json` at the top of a stack file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from common import cli
from stacks.settings.stack import AZURE_NATIVE_KEYS, PROJECT, Settings, secret_keys

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "stacks" / "schema.json"
DOCS_FILE = ROOT / "docs" / "settings.md"
_SECURE = {
    "type": "object",
    "description": "A secret config value, as `pulumi config set --secret` writes it.",
    "properties": {"secure": {"type": "string"}},
    "required": ["secure"],
    "additionalProperties": False,
}


def _config_key(field: str) -> str:
    return f"azure-native:{field}" if field in AZURE_NATIVE_KEYS else f"{PROJECT}:{field}"


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for a Pulumi stack file of this project."""
    model = Settings.model_json_schema()
    secrets = set(secret_keys())
    properties: dict[str, Any] = {}
    for field, schema in model["properties"].items():
        if field in secrets:
            schema = {**_SECURE, "description": schema.get("description", "")}
        properties[_config_key(field)] = schema
    required = [_config_key(field) for field in model.get("required", [])]
    known = "|".join(
        sorted(field for field in model["properties"] if field not in AZURE_NATIVE_KEYS)
    )
    config = {
        "type": "object",
        "description": model.get("description", ""),
        "properties": properties,
        "required": required,
        # Other namespaces (providers, pulumi) are free; under the project's, only known keys.
        "propertyNames": {"not": {"pattern": f"^{PROJECT}:(?!({known})$)"}},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/azureml-k8s/azureml-k8s/stacks/schema.json",
        "title": f"{PROJECT} stack file (Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {"config": config},
        "required": ["config"],
        "$defs": model.get("$defs", {}),
    }


def _type(schema: dict[str, Any]) -> str:
    """A short, readable type for the docs table."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return " \\| ".join(f"`{value}`" for value in schema["enum"])
    if "anyOf" in schema or "oneOf" in schema:
        options = [_type(option) for option in schema.get("anyOf", schema.get("oneOf", []))]
        return " \\| ".join(option for option in options if option != "null")
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]
        return f"map of {_type(values)}" if isinstance(values, dict) else "object"
    return str(kind)


def _cell(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    return text.replace("|", "\\|").replace("\n", " ")


def _table(name: str, schema: dict[str, Any], required: list[str], key_of=str) -> list[str]:
    lines = [f"### {name}", "", schema.get("description", ""), ""]
    lines += ["| key | type | default | description |", "|---|---|---|---|"]
    for field, spec in schema["properties"].items():
        default = "required" if field in required else _cell(spec.get("default", ""))
        described = spec.get("description", "")
        if spec.get("examples"):
            described += f" Example: `{_cell(spec['examples'][0])}`."
        lines.append(
            f"| `{key_of(field)}` | {_type(spec)} | {default and f'`{default}`'} | "
            f"{_cell(described)} |"
        )
    return lines + [""]


_INTRO = """# Stack settings

One stack file per environment under `stacks/` (`Pulumi.<stack>.yaml`). Keys are camelCase under
`azureml-k8s:`; extension keys use the names of the Azure docs. Unknown keys are errors with a
did-you-mean, and every problem names the stack file and the key path. Every default is the secure
one. Secret values (`sslCertPem`, `sslKeyPem`, `kubeconfig`) must be secret config values
(`pulumi config set --secret`); a secret on any other key is refused, since its value would go
into plain resource properties.

This page and `stacks/schema.json` (the JSON Schema of stack files, for editors: add
`# yaml-language-server: $schema=schema.json` at the top of a stack file) are generated from the
settings models in `stacks/settings/`: `python -m stacks.settings.schema` rewrites both.
"""

_EXTENSION_NOTES = """## What the extension gets

The settings are validated as `az k8s-extension create` validates them, then rewritten and filled
in as it does (`catalog/extension.py`): nodePort becomes `scoringFe.serviceType.nodePort`, an
internal load balancer `scoringFe.serviceType.internalLoadBalancer`, `sslSecret`
`scoringFe.sslSecret`, the PEM pair base64 in protected `scoringFe.sslCert`/`scoringFe.sslKey`;
cluster id, names, location, job scheduler location, prometheus label, relay/service bus/ingress
flags are filled in; on a cluster under 3 nodes an unset `inferenceRouterHA` becomes `false` with
`clusterPurpose=DevTest`, an explicit `true` is an error. On Arc the Azure Relay namespace, hybrid
connection and `azureml_rw` rule are created as the CLI creates them, and the connection string is
a protected setting. Protected settings are recomputed and re-sent in full on every update.
"""


def markdown() -> str:
    model = Settings.model_json_schema()
    lines = [_INTRO, "## Config keys", ""]
    lines += _table("The stack", model, model.get("required", []), _config_key)[2:]
    for name, schema in sorted(model.get("$defs", {}).items()):
        if "properties" in schema:
            lines += _table(name, schema, schema.get("required", []))
    lines.append(_EXTENSION_NOTES)
    return "\n".join(lines).rstrip() + "\n"


def rendered() -> dict[Path, str]:
    return {
        SCHEMA_FILE: json.dumps(json_schema(), indent=2, sort_keys=True) + "\n",
        DOCS_FILE: markdown(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = cli.Parser(prog="python -m stacks.settings.schema", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is stale")
    args = parser.parse_args(argv)
    stale = [
        path for path, text in rendered().items() if not path.exists() or path.read_text() != text
    ]
    if args.check:
        for path in stale:
            cli.write(f"{path.relative_to(ROOT)} is stale: run python -m stacks.settings.schema\n")
        return 1 if stale else 0
    for path, text in rendered().items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    cli.exit_with(main)
