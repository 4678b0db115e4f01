"""A client that knows only the OpenAPI document: operations by operationId, responses checked
against the document's schemas, form data made from each task's JSON Schema."""
from __future__ import annotations

import copy
from typing import Any

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

SPEC_PATH = "/api/v1/openapi.json"


class SpecClient:
    def __init__(self, client: FlaskClient):
        self.client = client
        self.spec: dict[str, Any] = client.get(SPEC_PATH).json
        self.operations: dict[str, tuple[str, str, dict[str, Any]]] = {
            op["operationId"]: (path, method, op)
            for path, item in self.spec["paths"].items()
            for method, op in item.items() if isinstance(op, dict) and "operationId" in op
        }
        self.token: str | None = None

    def call(self, operation_id: str, path_params: dict[str, str] | None = None, body: Any = None,
             query: dict[str, str] | None = None, expect: int | None = None) -> Any:
        """Call an operation; the answer must have a status and a body the document declares."""
        path, method, op = self.operations[operation_id]
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"unfilled path parameter in {path}"
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.client.open(path, method=method.upper(), json=body, query_string=query, headers=headers)
        declared = op["responses"].get(str(response.status_code)) or op["responses"]["default"]
        self._check(declared, response.json)
        if expect is not None:
            assert response.status_code == expect, (operation_id, response.status_code, response.json)
        return response.json

    def _check(self, declared: dict[str, Any], body: Any) -> None:
        declared = self._resolve(declared)
        schema = declared["content"]["application/json"]["schema"]
        root = nullable_as_json_schema(copy.deepcopy(self.spec))
        Draft202012Validator({**nullable_as_json_schema(copy.deepcopy(schema)), "components": root["components"]}
                             ).validate(body)

    def _resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in item:
            node: Any = self.spec
            for part in item["$ref"].lstrip("#/").split("/"):
                node = node[part]
            item = node
        return item


def nullable_as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as JSON Schema's type union, so a plain validator checks it."""
    if isinstance(node, dict):
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]
        for value in node.values():
            nullable_as_json_schema(value)
    elif isinstance(node, list):
        for value in node:
            nullable_as_json_schema(value)
    return node


def sample_data(schema: dict[str, Any]) -> dict[str, Any]:
    """Valid data for a form schema: every required field, first enum choice, minimal sizes."""
    return {name: sample_value(schema["properties"][name]) for name in schema.get("required", [])}


def sample_value(schema: dict[str, Any]) -> Any:
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "string")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        return sample_data(schema)
    if kind == "array":
        return [sample_value(schema.get("items", {}))] * max(1, schema.get("minItems", 0))
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    formats = {"date": "2026-01-05", "date-time": "2026-01-05T09:00:00Z", "email": "someone@example.com"}
    return formats.get(schema.get("format", ""), "x" * max(1, schema.get("minLength", 1)))
