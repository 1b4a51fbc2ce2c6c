"""Probing every service function generically: which functions take an actor, and placeholder arguments for them.

Shared by the permission suites (``test_authz_enforced``, ``test_office_scope``) so that a service added by any
later process is probed without editing a test.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import db.services
from tests.db.world import World


def service_functions() -> dict[str, Callable]:
    names = {}
    for module_info in pkgutil.iter_modules(db.services.__path__):
        if module_info.name == "base":
            continue
        module = importlib.import_module(f"db.services.{module_info.name}")
        for fname, func in inspect.getmembers(module, inspect.isfunction):
            if fname.startswith("_") or func.__module__ != module.__name__:
                continue
            params = inspect.signature(func).parameters
            if "s" in params or "session" in params:
                continue  # a helper inside the caller's transaction: the caller authorises
            if "actor" in params:
                names[f"{module_info.name}.{fname}"] = func
    return names


def placeholder(name: str, annotation: Any, world: World, ids: dict[str, int]) -> Any:
    if name in ids:
        return ids[name]
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return placeholder(name, options[0], world, ids) if options else None
    if origin in (list, tuple, set, frozenset, dict):
        return origin()
    if annotation in (list, tuple, set, frozenset, dict):
        return annotation()
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if annotation is float:
        return 1.0
    if annotation is str:
        return "测试"
    if annotation is bytes:
        return b"x"
    if annotation is datetime:
        return world.now
    if annotation is date:
        return world.now.date()
    if dataclasses.is_dataclass(annotation):
        hints = typing.get_type_hints(annotation)
        return annotation(**{f.name: placeholder(f.name, hints[f.name], world, ids)
                             for f in dataclasses.fields(annotation)
                             if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING})
    if isinstance(annotation, type) and hasattr(annotation, "model_construct"):
        return annotation.model_construct()
    return None


def is_empty(result: Any) -> bool:
    if result is None or result == [] or result == {} or result == ():
        return True
    if hasattr(result, "total") and hasattr(result, "rows"):
        return result.total == 0 and not result.rows
    if isinstance(result, dict):
        return not any(result.values())
    return False


