"""The OpenAPI document is the API's manual: every operation says what it does, and every request
body, JSON response and parameter comes with an example or a description. Examples must also
be valid under their own schema (the fuzz test, tests/test_api_fuzz.py, feeds them to the app)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs

from bot.web.app import create_app
from core.settings import Settings

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
JSON = "application/json"
# A non-JSON response's description must name each file type it may carry.
FILE_TYPE_NAMES = {"text/csv": "CSV", "text/html": "HTML", "spreadsheetml": "XLSX", "image/svg+xml": "SVG"}

SCHEMA: dict[str, Any] = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
COMPONENTS: dict[str, Any] = SCHEMA.get("components", {}).get("schemas", {})


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _generated_summary(path: str, method: str, operation: dict[str, Any]) -> str:
    """What FastAPI writes when no summary is given: the function name, title-cased (the name is
    the operationId without the path and method FastAPI appends)."""
    appended = re.sub(r"\W", "_", path) + "_" + method
    name = str(operation.get("operationId", "")).removesuffix(appended)
    return name.replace("_", " ").title()


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = COMPONENTS[node["$ref"].removeprefix("#/components/schemas/")]
    return node


def _has_example(node: dict[str, Any]) -> bool:
    return bool(node.get("examples") or "example" in node)


def _carries_example(node: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """An example anywhere in the schema: the model's, or one of its fields' (through $ref,
    properties, items, anyOf, allOf, oneOf)."""
    if "$ref" in node:
        if node["$ref"] in seen:
            return False
        return _carries_example(_resolve(node), seen | {node["$ref"]})
    if _has_example(node):
        return True
    children = [*node.get("properties", {}).values(), *node.get("anyOf", []), *node.get("allOf", [])]
    children += node.get("oneOf", [])
    if isinstance(node.get("items"), dict):
        children.append(node["items"])
    return any(_carries_example(child, seen) for child in children)


def _whole_example(node: dict[str, Any]) -> bool:
    """An example of the whole value: on the schema itself (through $ref, anyOf/allOf and, for
    a list, its items), not only on some field of it."""
    node = _resolve(node)
    if _has_example(node):
        return True
    branches = [*node.get("anyOf", []), *node.get("allOf", []), *node.get("oneOf", [])]
    if isinstance(node.get("items"), dict):
        branches.append(node["items"])
    return any(_whole_example(b) for b in branches if b.get("type") != "null")


def _summary_problem(path: str, method: str, operation: dict[str, Any]) -> str | None:
    if operation.get("description", "").strip():
        return None
    summary = operation.get("summary", "").strip()
    if summary and summary != _generated_summary(path, method, operation):
        return None
    return "no description (give the route function a docstring)"


def _body_problems(operation: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    problems = []
    for media, spec in content.items():
        schema = spec.get("schema", {})
        if media == JSON:
            if not (_has_example(spec) or _carries_example(schema)):
                problems.append("request body: no example (model json_schema_extra or Field(examples=))")
        elif media == "multipart/form-data":
            for name, field in _resolve(schema).get("properties", {}).items():
                if not field.get("description", "").strip():
                    problems.append(f"multipart field {name!r}: no description")
        else:
            problems.append(f"request body {media}: not checked by this test, document it and extend it")
    return problems


def _response_problems(operation: dict[str, Any]) -> list[str]:
    problems = []
    for code, response in operation.get("responses", {}).items():
        if not code.startswith("2"):
            continue
        description = response.get("description", "")
        for media, spec in response.get("content", {}).items():
            if media == JSON:
                if not (_has_example(spec) or _whole_example(spec.get("schema", {}))):
                    problems.append(f"response {code} {JSON}: no example of the whole body")
                continue
            names = [name for key, name in FILE_TYPE_NAMES.items() if key in media]
            if not names:
                problems.append(f"response {code} {media}: unknown media type, add it to FILE_TYPE_NAMES")
            elif not all(name.lower() in description.lower() for name in names):
                problems.append(f"response {code} {media}: the description does not name {names[0]}")
    return problems


def _parameter_problems(operation: dict[str, Any]) -> list[str]:
    problems = []
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        documented = (
            parameter.get("description", "").strip()
            or _has_example(parameter)
            or schema.get("description", "").strip()
            or _has_example(schema)
        )
        if not documented:
            problems.append(f"{parameter['in']} parameter {parameter['name']!r}: no description or example")
    return problems


def test_every_operation_is_documented_with_examples() -> None:
    operations = list(_operations())
    assert len(operations) >= 40
    missing: list[str] = []
    for path, method, operation in operations:
        summary = _summary_problem(path, method, operation)
        problems = ([summary] if summary else []) + _body_problems(operation)
        problems += _response_problems(operation) + _parameter_problems(operation)
        missing += [f"{method.upper()} {path}: {problem}" for problem in problems]
    assert not missing, f"{len(missing)} gap(s) in the OpenAPI documentation:\n" + "\n".join(missing)


def _examples_in(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) of every schema example under ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list):  # (a property *named* examples is a dict)
            for i, example in enumerate(node["examples"]):
                yield f"{where}.examples[{i}]", node, example
        for key, child in node.items():
            if not (key == "examples" and isinstance(child, list)):
                yield from _examples_in(child, f"{where}.{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _examples_in(child, f"{where}[{i}]")


def test_every_example_is_valid_under_its_own_schema() -> None:
    """An example the schema refuses would teach callers a 422 (and mislead the fuzz test)."""
    found = list(_examples_in(COMPONENTS, "components"))
    for path, method, operation in _operations():
        where = f"{method.upper()} {path}"
        for parameter in operation.get("parameters", []):
            found += _examples_in(parameter.get("schema", {}), f"{where} {parameter['name']}")
        for code, response in operation.get("responses", {}).items():
            spec = response.get("content", {}).get(JSON, {})
            if "example" in spec and "schema" in spec:
                found.append((f"{where} response {code}", spec["schema"], spec["example"]))
    assert len(found) >= 30
    invalid = []
    for where, schema, example in found:
        checker = jsonschema_rs.validator_for({**schema, "components": {"schemas": COMPONENTS}})
        errors = [e.message for e in checker.iter_errors(example)]
        if errors:
            invalid.append(f"{where}: {example!r}: {'; '.join(errors[:3])}")
    assert not invalid, "examples their schema refuses:\n" + "\n".join(invalid)
