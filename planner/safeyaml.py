"""The one way this project reads YAML written by people: rules files, cost scenarios,
``--set`` values and the sheets' texts.

``yaml.safe_load`` builds no Python objects, but it still expands aliases: a few
hundred bytes of nested ``&a [*b, *b, …]`` anchors grow into billions of nodes
("billion laughs") and exhaust the server's memory.  Nothing a dispatcher or a
planner writes needs aliases, so the loader here refuses them (and anchors) with
the line they are on, before anything is expanded, and bounds what remains:

* :data:`MAX_BYTES` of text (the largest shipped file is about 10 KB),
* :data:`MAX_DEPTH` levels of nesting (the deepest shipped file has 5),
* :data:`MAX_NODES` nodes in one document,
* :data:`MAX_SCALAR` characters in one value (a 5,000-digit integer would
  otherwise stop Python's ``int()`` with a ValueError, i.e. a traceback).

Every refusal is a ``yaml.MarkedYAMLError`` (with ``problem`` and
``problem_mark``), so callers report it like a syntax error, with its line.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 100_000
MAX_SCALAR = 10_000


class LimitError(yaml.MarkedYAMLError):
    """The YAML text is refused before it is expanded (aliases, size, depth, nodes)."""


def _refuse(problem: str, mark: Any) -> LimitError:
    return LimitError(None, None, problem, mark)


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without aliases or anchors, with depth, node and scalar bounds.
    A subclass for a kind of file much smaller than a rules file lowers ``max_bytes``
    and ``max_nodes`` (PyYAML reads some 5,000 values a second: 100,000 are 20 s)."""

    max_bytes = MAX_BYTES
    max_nodes = MAX_NODES

    def __init__(self, stream: Any):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 (PyYAML hook)
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _refuse(f"alias *{event.anchor} is not allowed (YAML aliases and anchors are refused: "
                          "write the value out)", event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise _refuse(f"anchor &{event.anchor} is not allowed (YAML aliases and anchors are refused: "
                          "write the value out)", event.start_mark)
        self._nodes += 1
        if self._nodes > self.max_nodes:
            raise _refuse(f"more than {self.max_nodes} values in one file", event.start_mark)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR:
            raise _refuse(f"a value of {len(event.value)} characters; at most {MAX_SCALAR}", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _refuse(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_size(text: str, loader: type[SafeLoader]) -> None:
    if len(text) > loader.max_bytes:
        raise _refuse(f"the text is {len(text)} characters; at most {loader.max_bytes}", None)


def load(text: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """Parse one YAML document with the bounds above; :class:`yaml.YAMLError` if refused."""
    if not issubclass(loader, SafeLoader):
        raise TypeError("safeyaml.load needs a safeyaml.SafeLoader (sub)class")
    _check_size(text, loader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 (a bounded SafeLoader)
    except (ValueError, OverflowError, RecursionError) as exc:
        # e.g. an integer too long for int(): a value error in the user's text, not a bug
        raise _refuse(f"a value cannot be read ({exc.__class__.__name__}: {str(exc)[:200]})", None) from None


def load_with_nodes(text: str, loader: type[SafeLoader] = SafeLoader) -> tuple[Any, Any]:
    """The data of one document and its node tree (for line numbers), parsed once, with
    the bounds of :func:`load`."""
    if not issubclass(loader, SafeLoader):
        raise TypeError("safeyaml.load_with_nodes needs a safeyaml.SafeLoader (sub)class")
    _check_size(text, loader)
    reader = loader(text)
    try:
        node = reader.get_single_node()
        return (reader.construct_document(node) if node is not None else None), node
    except (ValueError, OverflowError, RecursionError) as exc:
        raise _refuse(f"a value cannot be read ({exc.__class__.__name__}: {str(exc)[:200]})", None) from None
    finally:
        reader.dispose()


def compose(text: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """The node tree of one document (for line numbers), with the same bounds as :func:`load`."""
    if not issubclass(loader, SafeLoader):
        raise TypeError("safeyaml.compose needs a safeyaml.SafeLoader (sub)class")
    _check_size(text, loader)
    return yaml.compose(text, Loader=loader)


def line_of(exc: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, when it has one."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def describe(exc: yaml.YAMLError) -> str:
    """``line N: problem`` (or the first line of the error), for user-facing messages."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = line_of(exc)
    return f"line {line}: {problem}" if line else str(problem)
