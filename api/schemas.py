"""JSON schemas of the API's bodies, shared by every route module and the OpenAPI document.

A route names what it answers with :func:`api.openapi.describe`'s ``response=``; the schema
is usually a reference to a named component made here:

- :func:`component` registers a named schema once (``#/components/schemas/<Name>``) and
  returns its reference; registering the same name with another schema is an error;
- :func:`obj` (or :func:`object_schema`, from a mapping) writes an object schema
  (``required=`` names the keys always present; by default every property is);
- :func:`page_schema` and :func:`list_schema` wrap an item schema in the two list shapes the API
  answers with (``api.core.page`` and ``{"items": [...]}``);
- :func:`from_dataclass` derives an object schema from a service dataclass that a route
  serialises with ``dataclasses.asdict``;
- :data:`STATUS`, :data:`CHANGED` and friends are the small acknowledgements.

Types: ``STR``, ``INT``, ``NUM``, ``BOOL``, ``TIME`` (an ISO 8601 text) and
:func:`nullable`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from typing import Any, Union

Schema = dict[str, Any]

#: Every named schema, as ``components/schemas`` of the document.
COMPONENTS: dict[str, Schema] = {}

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "description": "ISO 8601 date and time"}
ANY_OBJECT: Schema = {"type": "object", "additionalProperties": True}


def nullable(schema: Schema) -> Schema:
    """``schema`` that may also be ``null`` (OpenAPI 3.0)."""
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}


def array(items: Schema) -> Schema:
    """A JSON array of ``items``."""
    return {"type": "array", "items": items}


def ref(name: str) -> Schema:
    """The reference to a registered component."""
    if name not in COMPONENTS:
        raise KeyError(f"no schema component named {name!r}")
    return {"$ref": f"#/components/schemas/{name}"}


def component(name: str, schema: Schema) -> Schema:
    """Register ``schema`` as ``#/components/schemas/<name>`` and return its reference."""
    if not name.isidentifier() or not name[0].isupper():
        raise ValueError(f"schema names are CamelCase identifiers, got {name!r}")
    known = COMPONENTS.get(name)
    if known is not None and known != schema:
        raise ValueError(f"schema {name!r} is already registered with another shape")
    COMPONENTS[name] = schema
    return ref(name)


def object_schema(properties: Mapping[str, Schema], *, required: tuple[str, ...] | None = None,
                  extra: bool = False) -> Schema:
    """An object with these properties; ``required``: the keys always sent (default: all);
    ``extra=True`` lets it carry keys beyond those listed."""
    schema: Schema = {"type": "object", "properties": dict(properties)}
    keys = tuple(properties) if required is None else required
    unknown = set(keys) - set(properties)
    if unknown:
        raise ValueError(f"required keys without a property: {sorted(unknown)}")
    if keys:
        schema["required"] = list(keys)
    if extra:
        schema["additionalProperties"] = True
    return schema


def obj(*, required: tuple[str, ...] | None = None, extra: bool = False,
        **properties: Schema) -> Schema:
    """:func:`object_schema` with the properties as keywords (a property named
    ``required`` or ``extra`` goes through :func:`object_schema`)."""
    return object_schema(properties, required=required, extra=extra)


def page_schema(name: str, item: Schema) -> Schema:
    """A named page of ``item`` (see ``api.core.page``): items, total, limit, offset and
    the offset of the next page (``null`` on the last)."""
    return component(name, obj(items=array(item), total=INT, limit=INT, offset=INT,
                               next_offset=nullable(INT)))


def list_schema(name: str, item: Schema, *, total: bool = False) -> Schema:
    """A named ``{"items": [...]}`` (with ``total`` when the route sends it)."""
    fields: dict[str, Schema] = {"items": array(item)}
    if total:
        fields["total"] = INT
    return component(name, object_schema(fields))


_SCALARS: Mapping[type, Schema] = {str: STR, int: INT, float: NUM, bool: BOOL,
                                   dt.datetime: TIME, dt.date: STR}


def _schema_of_type(hint: Any) -> Schema:
    origin = typing.get_origin(hint)
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if origin in (Union, types.UnionType):
        inner = _schema_of_type(args[0]) if len(args) == 1 else {}
        return nullable(inner) if len(args) < len(typing.get_args(hint)) else inner
    if origin in (list, tuple, set, frozenset):
        return array(_schema_of_type(args[0]) if args else {})
    if origin in (dict, Mapping) or hint in (dict, Any):
        return ANY_OBJECT if hint is not Any else {}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_dataclass(hint)
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    raise TypeError(f"no JSON schema for {hint!r}")


def from_dataclass(cls: type, *, exclude: tuple[str, ...] = (),
                   **overrides: Schema) -> Schema:
    """The object schema of ``dataclasses.asdict(cls(...))``: one property per field,
    every field required; ``overrides`` replace a field's schema or add a key."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: _schema_of_type(hints[f.name]) for f in dataclasses.fields(cls)
              if f.name not in exclude}
    return object_schema({**fields, **overrides})


ERROR = component("Error", obj(error=obj(
    required=("code", "message"), code=STR, message=STR,
    fields={"type": "object", "additionalProperties": STR,
            "description": "field name → what is wrong with it"})))
STATUS = component("Status", obj(status=STR))
STATUS_WITH_ID = component("StatusWithId", obj(status=STR, id=INT))
