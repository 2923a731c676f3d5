"""Frozen dataclasses as JSON documents: read with the path of whatever is wrong, write
back the same bytes, and describe the shape as a JSON Schema.

One definition per document: the dataclass says each field's name, type, default
and meaning, and this module derives the rest from it (reading, writing, the
schema), so the three cannot drift apart.  What a field may hold is its type
annotation, read with :func:`typing.get_type_hints`:

* ``str``, ``int``, ``float`` (an ``int`` is a number too, and kept as written:
  ``35`` stays ``35``), ``bool``, ``Any`` (any JSON value, taken as it is);
* ``X | None``; ``tuple[X, ...]`` (a JSON array); ``tuple[X, Y, Z]`` (an array of
  exactly those); ``dict[str, X]``; ``Literal[...]``; another such dataclass;
* ``Annotated[str, ISO_TIME]`` / ``ISO_DATE``: a text that must parse as an ISO 8601
  time with its UTC offset, or a date.

Field metadata (:func:`doc_field`): ``key`` (the JSON name when it is not a Python
name, e.g. ``from``), ``omit_none`` (the key is left out when the value is None:
optional blocks that older documents lack and a reader must not mistake for
``null``), ``written_if`` (the key is written only for such objects: a route's
visit steps carry their visit, its start step does not), ``doc`` (the schema's
description).  A field with a default may be missing from the JSON; unknown keys are
ignored (a newer writer's additions do not stop an older reader).

Reading works each type out once (:func:`_reader`) and builds an error's path only
when there is an error: a district's plan (4 routes, 25 visits) reads in about 3.5 ms.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
from collections.abc import Callable
from dataclasses import MISSING, dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self, Union, get_args, get_origin, get_type_hints

from planner.errors import UserError

#: the path of the document as a whole
ROOT = "(document)"


class ShapeError(UserError):
    """A document whose shape is wrong, at ``path`` (``routes[2].steps[5].arrival``)."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path or ROOT, reason
        super().__init__(f"{self.path}: {reason}")

    def within(self, part: str) -> "ShapeError":
        """The same error seen from the value that holds this one at ``part`` (a key, or ``[i]``)."""
        if self.path == ROOT:
            return ShapeError(part, self.reason)
        return ShapeError(part + ("" if self.path.startswith("[") else ".") + self.path, self.reason)


@dataclass(frozen=True)
class TextFormat:
    """A text with a format of its own (checked on reading, named in the schema)."""

    name: str  # JSON Schema's ``format``
    expected: str  # what the error message says was expected

    def check(self, value: str, path: str) -> None:
        try:
            if self.name == "date":
                date.fromisoformat(value)
            elif datetime.fromisoformat(value).utcoffset() is None:
                raise ShapeError(path, f"expected {self.expected}, found {value!r} without a UTC offset")
        except ValueError:
            raise ShapeError(path, f"expected {self.expected}, found {_short(value)}") from None


ISO_TIME = TextFormat("date-time", "an ISO 8601 time")
ISO_DATE = TextFormat("date", "an ISO 8601 date")
IsoTime = Annotated[str, ISO_TIME]
IsoDate = Annotated[str, ISO_DATE]


def doc_field(doc: str = "", *, key: str | None = None, omit_none: bool = False,
              written_if: Callable[[Any], bool] | None = None, **kw: Any) -> Any:
    """A dataclass field with its JSON name, its meaning, and when it is left out: when None
    (``omit_none``), or when ``written_if(the object)`` is false."""
    meta: dict[str, Any] = {"doc": doc, "omit_none": omit_none}
    if key:
        meta["key"] = key
    if written_if:
        meta["written_if"] = written_if
    return dataclasses.field(metadata=meta, **kw)


def _key(f: dataclasses.Field) -> str:
    return f.metadata.get("key", f.name)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a text", bool: "true/false", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls, include_extras=True)


@functools.cache
def _reading(cls: type) -> tuple[tuple[str, str, Any, bool], ...]:
    """(attribute, JSON key, reader, required) of each field, worked out once per class."""
    hints = _hints(cls)
    return tuple((f.name, _key(f), _reader(hints[f.name]), f.default is MISSING and f.default_factory is MISSING)
                 for f in dataclasses.fields(cls))


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def read(tp: Any, value: Any, path: str = "") -> Any:
    """``value`` (parsed JSON) as type ``tp``, or :class:`ShapeError` naming where in it (under
    ``path``)."""
    try:
        return _reader(tp)(value)
    except ShapeError as exc:
        raise (exc.within(path) if path else exc) from None


#: reads one value; a ShapeError it raises names the place within that value, and each holder
#: adds its own part on the way out (paths are only built for the error, not for every value)
Reader = Callable[[Any], Any]


@functools.cache
def _reader(tp: Any) -> Reader:  # noqa: C901  (one flat branch per kind of type: the table of readers)
    """The reading of one type, worked out once: a district's plan has hundreds of values, and
    asking ``typing`` what each annotation means for every one of them cost 80 ms a plan."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *marks = get_args(tp)
        inner = _reader(base)
        formats = [m for m in marks if isinstance(m, TextFormat)]

        def annotated(value: Any) -> Any:
            out = inner(value)
            for mark in formats:
                mark.check(out, "")
            return out
        return annotated
    if _is_union(tp):
        args = get_args(tp)
        nullable = type(None) in args
        others = [a for a in args if a is not type(None)]
        readers = [_reader(a) for a in others]
        expected = " or ".join(_expected(a) for a in others)

        def union(value: Any) -> Any:
            if value is None:
                if nullable:
                    return None
                raise ShapeError("", f"expected {expected}, found null")
            if len(readers) == 1:
                return readers[0](value)
            for r in readers:  # the first that fits
                try:
                    return r(value)
                except ShapeError:
                    continue
            raise ShapeError("", f"expected {expected}, found {_kind(value)}")
        return union
    if tp is Any:
        return lambda value: value
    if origin is Literal:
        allowed = get_args(tp)
        of_bools = any(isinstance(a, bool) for a in allowed)

        def literal(value: Any) -> Any:
            if value not in allowed or isinstance(value, bool) != of_bools:
                raise ShapeError("", f"expected one of {', '.join(map(repr, allowed))}, found {_short(value)}")
            return value
        return literal
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return lambda value: _object(tp, value)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _reader(args[0])

            def array(value: Any) -> Any:
                if not isinstance(value, list):
                    raise ShapeError("", f"expected an array, found {_kind(value)}")
                try:
                    return tuple(map(item, value))
                except ShapeError:
                    pass
                for i, v in enumerate(value):  # which item: only looked for once one is wrong
                    try:
                        item(v)
                    except ShapeError as exc:
                        raise exc.within(f"[{i}]") from None
                raise AssertionError("unreachable")
            return array
        items = [_reader(a) for a in args]

        def fixed(value: Any) -> Any:
            if not isinstance(value, list):
                raise ShapeError("", f"expected an array, found {_kind(value)}")
            if len(value) != len(items):
                raise ShapeError("", f"expected an array of {len(items)}, found {len(value)} items")
            out = []
            for i, (r, v) in enumerate(zip(items, value, strict=True)):  # lengths checked above
                try:
                    out.append(r(v))
                except ShapeError as exc:
                    raise exc.within(f"[{i}]") from None
            return tuple(out)
        return fixed
    if origin is dict:
        entry = _reader(get_args(tp)[1])

        def mapping(value: Any) -> Any:
            if not isinstance(value, dict):
                raise ShapeError("", f"expected an object, found {_kind(value)}")
            out = {}
            for k, v in value.items():
                try:
                    out[k] = entry(v)
                except ShapeError as exc:
                    raise exc.within(str(k)) from None
            return out
        return mapping
    if tp in _SIMPLE:
        return _SIMPLE[tp]
    raise TypeError(f"no JSON reading for {tp!r}")


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ShapeError("", f"expected true or false, found {_short(value)}")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError("", f"expected a whole number, found {_short(value)}")
    return value


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ShapeError("", f"expected a number, found {_short(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer of hundreds of digits
        finite = False
    if not finite:
        raise ShapeError("", f"expected a finite number, found {_short(value)}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ShapeError("", f"expected a text, found {_kind(value)}")
    return value


_SIMPLE: dict[Any, Reader] = {bool: _bool, int: _int, float: _float, str: _str}


def read_object(cls: type, value: Any, path: str = "") -> Any:
    """A dataclass from a JSON object: each field read from its key, defaults for missing ones;
    a :class:`ShapeError` names where (under ``path``)."""
    return read(cls, value, path)


def _object(cls: type, value: Any) -> Any:
    if not isinstance(value, dict):
        raise ShapeError("", f"expected an object, found {_kind(value)}")
    kwargs = {}
    for name, key, reader, required in _reading(cls):
        if key not in value:
            if required:
                raise ShapeError(key, "missing")
            continue
        try:
            kwargs[name] = reader(value[key])
        except ShapeError as exc:
            raise exc.within(key) from None
    return cls(**kwargs)


def _expected(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Annotated:
        mark = next((m for m in get_args(tp)[1:] if isinstance(m, TextFormat)), None)
        return mark.expected if mark else _expected(get_args(tp)[0])
    if dataclasses.is_dataclass(tp) or origin is dict:
        return "an object"
    if origin is tuple:
        return "an array"
    return {str: "a text", int: "a whole number", float: "a number", bool: "true or false"}.get(tp, str(tp))


class JsonDoc:
    """A base for document dataclasses: ``of`` reads the JSON form (or passes an instance
    through), ``to_json`` writes it."""

    @classmethod
    def of(cls, obj: Any) -> Self:
        return obj if isinstance(obj, cls) else read_object(cls, obj, "")

    def to_json(self) -> Any:
        return write(self)


def write(value: Any) -> Any:
    """The JSON value of a document value (dataclasses in field order, tuples as arrays)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if v is None and f.metadata.get("omit_none"):
                continue
            if "written_if" in f.metadata and not f.metadata["written_if"](value):
                continue
            out[_key(f)] = write(v)
        return out
    if isinstance(value, (list, tuple)):
        return [write(v) for v in value]
    if isinstance(value, dict):
        return {k: write(v) for k, v in value.items()}
    return value


def schema_of(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a type; dataclasses go to ``defs`` and are referenced."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *marks = get_args(tp)
        out = schema_of(base, defs)
        for mark in marks:
            if isinstance(mark, TextFormat):
                out["format"] = mark.name
        return out
    if _is_union(tp):
        args = [a for a in get_args(tp) if a is not type(None)]
        nullable = len(args) < len(get_args(tp))
        if len(args) == 1:
            inner = schema_of(args[0], defs)
            if nullable and isinstance(inner.get("type"), str):
                return {**inner, "type": [inner["type"], "null"]}
            return {"anyOf": [inner, {"type": "null"}]} if nullable else inner
        return {"anyOf": [schema_of(a, defs) for a in args] + ([{"type": "null"}] if nullable else [])}
    if tp is Any:
        return {}
    if origin is Literal:
        values = list(get_args(tp))
        return {"const": values[0]} if len(values) == 1 else {"enum": values}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: a type that contains itself
            defs[name] = object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if origin is tuple:
        items = get_args(tp)
        if len(items) == 2 and items[1] is Ellipsis:
            return {"type": "array", "items": schema_of(items[0], defs)}
        return {"type": "array", "prefixItems": [schema_of(a, defs) for a in items],
                "minItems": len(items), "maxItems": len(items)}
    if origin is dict:
        return {"type": "object", "additionalProperties": schema_of(get_args(tp)[1], defs)}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return {"type": simple[tp]}
    raise TypeError(f"no JSON Schema for {tp!r}")


def object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    props, required = {}, []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if f.metadata.get("omit_none") and _is_union(tp):  # left out rather than null: never null
            tp = Union[tuple(a for a in get_args(tp) if a is not type(None))]  # noqa: UP007
        s = schema_of(tp, defs)
        if f.metadata.get("doc"):
            s = {**s, "description": f.metadata["doc"]}
        props[_key(f)] = s
        if f.default is MISSING and f.default_factory is MISSING:
            required.append(_key(f))
    out: dict[str, Any] = {"type": "object"}
    if cls.__doc__:
        out["description"] = " ".join(cls.__doc__.split())
    out["properties"] = props
    if required:
        out["required"] = required
    return out


def document_schema(cls: type, title: str) -> dict[str, Any]:
    """The whole JSON Schema of a document type, with every nested type under ``$defs``."""
    defs: dict[str, Any] = {}
    root = object_schema(cls, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            **root, "$defs": dict(sorted(defs.items()))}


__all__ = ["ISO_DATE", "ISO_TIME", "IsoDate", "IsoTime", "JsonDoc", "ROOT", "ShapeError", "doc_field",
           "document_schema", "read", "read_object", "write"]
