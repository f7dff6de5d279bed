"""A fleet inventory's sites from CSV: one row per site, the columns `name`, `wave` and dotted
key paths (`azureml-k8s:cluster.nodeCount`, the project's namespace when none is given); each
cell is a YAML scalar or flow value, an empty cell inherits the template."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from common import files
from stacks.settings.errors import InventoryError
from stacks.settings.stack import PROJECT

MAX_INVENTORY_BYTES = 32 * 1024 * 1024


def csv_file(path: Path, shown: str) -> list[tuple[str, Any]]:
    try:
        return csv_sites(files.read_text(path, shown, MAX_INVENTORY_BYTES), shown)
    except files.InputFileError as err:
        raise InventoryError(err.file, [(err.where, err.message)]) from None


def csv_sites(text: str, shown: str) -> list[tuple[str, Any]]:
    """(where, {name, wave, config}) per row; the header names the columns."""
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(rows, None)
    if not header or not {"name", "wave"} <= set(header):
        hint = (
            "; is it separated by ';'? save it with commas" if header and ";" in header[0] else ""
        )
        raise InventoryError(shown, [("line 1", f"the header needs columns name and wave{hint}")])
    problems = [(f"line 1: {c}", "named twice") for c in sorted(set(header)) if header.count(c) > 1]
    columns: list[tuple[str, list[str]]] = []
    for column in header:
        path = _column_path(column)
        if path is None:
            problems.append((f"line 1: {column}", "not a key path: namespace:key.key (no [i])"))
        columns.append((column, path or []))
    paths = [".".join(p) for _, p in columns]
    problems += [
        (f"line 1: {a}", f"also set, in part, by column {b}")
        for a in paths
        for b in paths
        if b.startswith(a + ".")
    ]
    if problems:
        raise InventoryError(shown, problems)
    sites = []
    ended = rows.line_num  # the line the previous row ended on: a quoted cell may span lines
    for row in rows:
        where, ended = f"line {ended + 1}", rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InventoryError(shown, [(where, f"{len(row)} cells for {len(header)} columns")])
        site: dict[str, Any] = {"config": {}}
        for (column, path), cell in zip(columns, row):
            if column in ("name", "wave"):
                site[column] = cell.strip()
            elif cell.strip():
                value = files.parse_yaml(cell, f"{shown}: {where}: {column}")
                _put(site["config"], path, value)
        sites.append((where, site))
    return sites


def _column_path(column: str) -> list[str] | None:
    if column in ("name", "wave"):
        return [column]
    namespace, colon, rest = column.partition(":")
    if not colon:
        namespace, rest = PROJECT, column
    parts = rest.split(".")
    if not namespace or any(not p or "[" in p for p in parts):
        return None
    return [f"{namespace}:{parts[0]}", *parts[1:]]


def _put(config: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        config = config.setdefault(key, {})
    config[path[-1]] = value
