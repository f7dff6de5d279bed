"""The architecture as the folders show it: who may import whom (DESIGN's import rules, with
router/ reading catalog/ and every package sharing common/), and modules a newcomer can read."""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("catalog", "common", "components", "policy", "preflight", "router", "stacks")
# package -> the project packages it may import (itself always).
ALLOWED = {
    "catalog": set(),
    "common": set(),
    "router": {"catalog", "common"},
    "stacks": {"catalog", "router", "common"},
    "components": {"stacks", "catalog", "router", "common"},
    "policy": {"catalog", "router", "common"},
    "preflight": {"catalog", "common", "stacks"},
}
# Command lines are plumbing, not platform facts: catalog's may use common's.
EXCEPTIONS = {("catalog/__main__.py", "common")}
MAX_LINES = 400
MAX_FUNCTION_LINES = 80


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_what_the_layers_allow(package):
    wrong = []
    for path in _modules(package):
        relative = str(path.relative_to(ROOT))
        for imported in _imports(path) & set(PACKAGES):
            allowed = imported == package or imported in ALLOWED[package]
            if not allowed and (relative, imported) not in EXCEPTIONS:
                wrong.append(f"{relative} imports {imported}")
    assert wrong == []


def test_only_the_loading_module_of_the_settings_imports_pulumi():
    importers = [
        str(p.relative_to(ROOT)) for p in _modules("stacks/settings") if "pulumi" in _imports(p)
    ]
    assert importers == ["stacks/settings/loading.py"]


def test_catalog_router_and_policy_never_import_pulumi_programs():
    for package in ("catalog", "router", "common"):
        for path in _modules(package):
            assert not {"pulumi", "pulumi_azure_native", "pulumi_kubernetes"} & _imports(path), path


def test_no_module_over_400_lines_and_no_function_over_80():
    long_modules, long_functions = [], []
    for package in PACKAGES:
        for path in _modules(package):
            text = path.read_text()
            if text.count("\n") > MAX_LINES:
                long_modules.append(str(path.relative_to(ROOT)))
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        long_functions.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert long_modules == [] and long_functions == []


# What a user cannot open: the team's private material, never a source.
_PRIVATE_CITATIONS = ("seeds/", "platform-facts", "DESIGN.md", "../shared")
_SHIPPED = ("docs", "catalog", "components", "stacks", "policy", "preflight", "router", "common")


def test_citations_name_public_documents():
    found = []
    paths = [ROOT / "README.md", ROOT / "__main__.py"]
    for folder in _SHIPPED:
        paths += [
            p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md", ".json", ".yaml")
        ]
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [
                f"{path.relative_to(ROOT)}:{number}: {word}"
                for word in _PRIVATE_CITATIONS
                if word in line
            ]
    assert not found, found


def test_hosts_cite_documents_with_their_urls():
    from catalog.host_table import HOSTS, NOT_APPLICABLE

    for host in HOSTS:
        assert "https://" in host.source, (host.host, host.source)
    for reason in NOT_APPLICABLE.values():
        assert "https://" in reason or "Learn '" in reason, reason
