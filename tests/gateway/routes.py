"""The gateway's public routes, as (method, path, route) — walked by the security tests so a new
route is checked the moment it is added."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel


def api_routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute) and context.path.startswith("/api/"):
            for method in sorted(route.methods):
                yield method, context.path, route


def body_models(route: APIRoute) -> set[type[BaseModel]]:
    """Every pydantic model a route's body is made of (nested ones too)."""
    found: set[type[BaseModel]] = set()

    def walk(annotation: Any) -> None:
        for arg in typing.get_args(annotation):
            walk(arg)
        is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if is_model and annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                walk(field.annotation)

    for param in route.dependant.body_params:
        walk(param.field_info.annotation)
    return found
