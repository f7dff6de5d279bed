"""Edits of YAML text that keep every other byte (comments, order, quoting, layout): append
items to a sequence, add a key to a mapping.

What is inserted is yaml.safe_dump's text (ASCII only), placed by the composer's marks. The
caller re-reads the edited text and compares it with the document it meant to get, so a layout
these edits get wrong is refused, never written.
"""

from __future__ import annotations

from typing import Any

import yaml

from stacks.migrate_v1.render import dump

Insertion = tuple[int, str]  # (character index, text to insert there)


class SpliceError(Exception):
    """A layout these edits do not handle; the message says where."""


def compose(text: str) -> yaml.Node | None:
    """The node tree of a document common.files.parse_yaml has already accepted (so it has no
    aliases and is not nested deeper than that reader allows)."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


def value_node(mapping: yaml.Node, key: str) -> yaml.Node | None:
    """The node under `key` in a mapping node, or None."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def append(text: str, node: yaml.Node, items: list[Any]) -> Insertion:
    """Insert `items` at the end of a sequence node."""
    if not isinstance(node, yaml.SequenceNode):
        raise SpliceError(f"line {node.start_mark.line + 1}: expected a list")
    if node.flow_style is True or not node.value:
        return _flow(text, node, ", ".join(_inline(item) for item in items), "]")
    return _block(text, node, dump(items), node.start_mark.column)


def add(text: str, node: yaml.Node, key: str, value: Any) -> Insertion:
    """Insert `key: value` at the end of a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        raise SpliceError(f"line {node.start_mark.line + 1}: expected a mapping")
    if node.flow_style is True or not node.value:
        return _flow(text, node, f"{_inline(key)}: {_inline(value)}", "}")
    return _block(text, node, dump({key: value}), node.value[0][0].start_mark.column)


def apply(text: str, insertions: list[Insertion]) -> str:
    """The text with every insertion made; two at one index keep their order."""
    ordered = sorted(enumerate(insertions), key=lambda pair: (pair[1][0], pair[0]), reverse=True)
    for _, (index, inserted) in ordered:
        text = text[:index] + inserted + text[index:]
    return text


def _inline(value: Any) -> str:
    """`value` as flow YAML (inside [...] or {...}), on one line."""
    flow = yaml.safe_dump(
        [value], default_flow_style=True, width=float("inf"), allow_unicode=False, sort_keys=False
    )
    return flow.strip()[1:-1]


def _flow(text: str, node: yaml.Node, inserted: str, closing: str) -> Insertion:
    close = node.end_mark.index - 1
    if text[close : close + 1] != closing:
        raise SpliceError(f"line {node.end_mark.line + 1}: expected {closing!r} here")
    before = text[node.start_mark.index + 1 : close].rstrip()
    separator = ", " if before and not before.endswith(",") else " " if before else ""
    return close, f"{separator}{inserted}"


def _block(text: str, node: yaml.Node, dumped: str, column: int) -> Insertion:
    newline = "\r\n" if "\r\n" in text else "\n"
    position = _after_content(text, node.start_mark.index, node.end_mark.index)
    lines = dumped.split("\n")[:-1]  # ASCII only: "\n" is its one line break
    inserted = "".join(" " * column + line + newline for line in lines)
    if position > 0 and text[position - 1] != "\n":
        inserted = newline + inserted
    return position, inserted


def _after_content(text: str, start: int, end: int) -> int:
    """Just past the last line in text[start:end] that holds more than blanks or a comment:
    where a block collection's last entry ends."""
    last = end
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        line_end = end if newline == -1 else newline + 1
        content = text[position:line_end].strip()
        if content and not content.startswith("#"):
            last = line_end
        position = line_end
    return last
