"""Pure data and pure functions about the platform.

Nothing in this package imports pulumi or any other project package, so settings, components,
policies and the router can all share it.

Every fact carries its source (the contract; tests/catalog/test_facts.py enforces it):
- Each catalog module declares `SOURCES: dict[str, str]` mapping each public fact name to a
  one-line source: every public UPPER_CASE constant the module defines, and each public function
  that encodes a platform rule. A source names the document, URL or repository path (with the
  commit or date when it matters). When the search tool could not confirm a fact, its source
  starts with "unconfirmed: " and says what was checked; the code keeps the safer behaviour.
- Names a module imports from another catalog module are that module's facts, not its own.
- `python -m catalog facts [--format text|json]` lists every fact of every module (module, name,
  value summary, source), deterministically; it exits 1 when a fact has no source.
- New modules are discovered automatically (pkgutil): a new module needs its SOURCES from the
  start, or the test names the module and constant that lack one.
- docs/catalog-audit.md records what was checked, corrected or left unconfirmed.
"""
