"""The facts contract: every catalog module's public constants carry a source, and the listing
shows them all, deterministically."""

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import catalog
from catalog import facts
from catalog.__main__ import main
from common import cli

ROOT = Path(__file__).resolve().parents[2]
MODULES = facts.modules()


def test_discovery_covers_every_module_of_the_package():
    on_disk = {info.name for info in pkgutil.iter_modules(catalog.__path__)} - facts.TOOLING
    assert {m.__name__.removeprefix("catalog.") for m in MODULES} == on_disk
    assert {"regions", "aks", "extension"} <= on_disk


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_public_constant_has_a_source(module):
    assert facts.problems(module) == []


def test_a_constant_without_a_source_is_named(tmp_path, monkeypatch):
    package = tmp_path / "fake_catalog"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "limits.py").write_text(
        'MAX_THINGS = 3\nMIN_THINGS, OTHER = 1, 2\nSOURCES = {"MAX_THINGS": "", "GONE": "doc"}\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import fake_catalog.limits as limits

    assert facts.problems(limits) == [
        "fake_catalog.limits.MIN_THINGS: no SOURCES entry",
        "fake_catalog.limits.OTHER: no SOURCES entry",
        "fake_catalog.limits.MAX_THINGS: empty SOURCES entry",
        "fake_catalog.limits.GONE: SOURCES names something the module lacks",
    ]


def test_a_module_without_sources_is_named(tmp_path, monkeypatch):
    package = tmp_path / "bare_catalog"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "names.py").write_text("from os import SEEK_SET\n_PRIVATE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import bare_catalog.names as names

    # An imported constant is the other module's fact; only the missing SOURCES is reported.
    assert facts.problems(names) == ["bare_catalog.names: declares no SOURCES dict"]


def test_imported_constants_are_not_the_importers_facts():
    from catalog import extension

    assert "HA_MIN_NODES" not in facts.defined_constants(extension)
    assert "HA_MIN_NODES" in facts.defined_constants(catalog.aks)


def test_listing_has_every_constant_and_named_function_with_its_source():
    listed = {(f.module, f.name): f for f in facts.collect()}
    for module in MODULES:
        short = module.__name__.removeprefix("catalog.")
        for name in facts.defined_constants(module):
            assert listed[(short, name)].source == module.SOURCES[name]
    control = listed[("regions", "control_plane_ranges")]
    assert control.value == "control_plane_ranges(region)"
    assert "IPv4" in control.source


def test_summaries_are_short_and_sorted():
    assert facts.summarize(frozenset({"b", "a"})) == "2 items: 'a', 'b'"
    assert facts.summarize({"x": 1}) == "1 entries: 'x'"
    assert len(facts.summarize(tuple(range(1000)))) == 90


def test_cli_json_is_deterministic_and_complete(capsys):
    assert main(["facts", "--format", "json"]) == 0
    first = capsys.readouterr().out
    assert main(["facts", "--format", "json"]) == 0
    assert capsys.readouterr().out == first
    rows = json.loads(first)
    assert all(set(row) == {"module", "name", "value", "source"} for row in rows)
    assert all(row["source"].strip() for row in rows)
    assert {"module": "aks", "name": "MAX_AUTHORIZED_IP_RANGES"}.items() <= next(
        row for row in rows if row["name"] == "MAX_AUTHORIZED_IP_RANGES"
    ).items()


def test_cli_text_counts_facts(capsys):
    assert main(["facts"]) == 0
    out = capsys.readouterr().out
    assert "\ncatalog.regions\n" in out
    assert "  PAIRED_REGION = 44 entries: 'australiacentral', " in out
    assert out.rstrip().endswith("0 without a source")


def test_cli_bad_command_line_exits_64(capsys):
    assert cli.run(main, ["facts", "--format", "yaml"]) == cli.USAGE
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.process
def test_python_dash_m_runs_in_a_fresh_interpreter():
    run = subprocess.run(
        [sys.executable, "-m", "catalog", "facts", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)


def test_unconfirmed_facts_are_counted_in_whole_or_part():
    whole = facts.Fact("m", "A", "1", "unconfirmed: not found")
    part = facts.Fact("m", "B", "2", "Learn page; unconfirmed: the rest")
    sure = facts.Fact("m", "C", "3", "Learn page")
    missing = facts.Fact("m", "D", "4", "")
    assert [f.unconfirmed for f in (whole, part, sure, missing)] == [True, True, False, False]
    text = facts.render([whole, part, sure, missing], "text")
    assert text.endswith("4 facts, 2 unconfirmed in whole or part, 1 without a source\n")
    assert "  D = 4\n      source: MISSING\n" in text
