"""The policy pack as a release: a self-contained directory to publish, and its fingerprint.

    python scripts/policypack.py build DIR     # what `make policy-pack` runs: DIR can be published
    python scripts/policypack.py fingerprint   # the pack's fingerprint, for CHANGELOG.md

`build` copies policy/ and the packages it reads (catalog, router, common) into DIR with a
PulumiPolicy.yaml that lets Pulumi make the pack's own virtual environment and a requirements.txt
of what it imports, so `pulumi policy publish <org>` run in DIR uploads everything the pack needs.

The fingerprint is a hash of what the pack does: the syntax trees (not the formatting or the
comments) of every module it ships. A test compares it and PulumiPolicy.yaml's version with the
newest "Policy pack" entry of CHANGELOG.md, so a change to a policy, or to a catalog fact a
policy reads, cannot land without a version and a changelog entry.

Exit codes: 0 done; 2 the target is not an empty directory; 64 a bad command line; 74 the target
or the output cannot be written; the rest as common.cli says (141, 130, 128 + N).
"""

from __future__ import annotations

import ast
import hashlib
import shutil
from pathlib import Path

import yaml

from common import cli, files

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policy"
# What the pack imports, beside policy/ itself.
SHIPPED_PACKAGES = ("policy", "catalog", "router", "common")
# Pinned as requirements.txt pins them: what the pack's modules import from PyPI.
PACK_REQUIREMENTS = ("pulumi", "pulumi-policy", "jsonschema", "PyYAML")
INVALID = 2


def shipped_files(root: Path = ROOT) -> list[Path]:
    """Every module of the shipped packages, and the pack's data files, in a stable order."""
    found: list[Path] = []
    for package in SHIPPED_PACKAGES:
        found += sorted((root / package).rglob("*.py"))
        found += sorted((root / package).rglob("*.json"))
    return [path for path in found if "__pycache__" not in path.parts]


def fingerprint(root: Path = ROOT) -> str:
    """sha256 of the shipped modules' syntax trees (data files byte for byte), in order."""
    digest = hashlib.sha256()
    for path in shipped_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        text = files.read_text(path)
        if path.suffix == ".py":
            text = ast.dump(ast.parse(text, str(path)), include_attributes=False)
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()


def pack_version() -> str:
    manifest = files.load_yaml(POLICY_DIR / "PulumiPolicy.yaml")
    return str(manifest["version"])


def _requirements() -> str:
    pinned = {}
    for line in files.read_text(ROOT / "requirements.txt").splitlines():
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if sep:
            pinned[name.lower()] = f"{name}=={version.strip()}"
    return "".join(
        pinned[name.lower()] + "\n" for name in PACK_REQUIREMENTS if name.lower() in pinned
    )


def build(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise cli.UsageError(f"policypack: {target} is not an empty directory")
    target.mkdir(parents=True, exist_ok=True)
    for path in shipped_files():
        destination = target / path.relative_to(ROOT)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    shutil.copyfile(POLICY_DIR / "__main__.py", target / "__main__.py")
    manifest = files.load_yaml(POLICY_DIR / "PulumiPolicy.yaml")
    # Published, Pulumi makes the pack a virtual environment of its own from requirements.txt.
    manifest["runtime"] = {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    (target / "PulumiPolicy.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    (target / "requirements.txt").write_text(_requirements())


def main(argv: list[str] | None = None) -> int:
    parser = cli.Parser(prog="scripts/policypack.py", description=__doc__.splitlines()[0])
    sub = cli.subcommands(parser, dest="command")
    builder = sub.add_parser("build", help="a self-contained pack directory to publish")
    builder.add_argument("target", type=Path)
    sub.add_parser("fingerprint", help="the pack's behaviour fingerprint")
    args = parser.parse_args(argv)
    if args.command == "fingerprint":
        cli.write(f"{pack_version()} {fingerprint()}\n")
        return 0
    try:
        build(args.target)
    except cli.UsageError as err:
        cli.warn(str(err))
        return INVALID
    except OSError as err:  # the target cannot be written: an output error, as a full stdout
        cli.warn(f"policypack: cannot write {args.target}: {err.strerror or err}")
        return cli.OUTPUT_FAILED
    cli.write(
        f"{args.target}: policy pack {pack_version()}, publish with `pulumi policy publish`\n"
    )
    return 0


if __name__ == "__main__":
    cli.exit_with(main)
