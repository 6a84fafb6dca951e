"""Extract the CreateMessage / CreateCall request schemas from Twilio's OpenAPI spec.

Writes ``tests/support/twilio_params.json`` (committed), which the Twilio test double reads
instead of loading the 1.8 MB spec at test time. Re-run after updating the spec::

    .venv/bin/python tests/support/extract_twilio_params.py [SPEC] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SPEC = Path("/work/shared/twilio/twilio_api_v2010.json")
DEFAULT_OUT = HERE / "twilio_params.json"

OPERATIONS: dict[str, str] = {"CreateMessage": "message", "CreateCall": "call"}
SCHEMA_KEYS = ("type", "format", "enum", "pattern", "minLength", "maxLength")


def snake(name: str) -> str:
    """``MessagingServiceSid`` -> ``messaging_service_sid`` (the spec's ``x-twilio`` naming)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (one level is all these schemas use), keeping sibling keys."""
    if "$ref" not in schema:
        return schema
    target: Any = spec
    for part in schema["$ref"].lstrip("#/").split("/"):
        target = target[part]
    merged = dict(target)
    merged.update({k: v for k, v in schema.items() if k != "$ref"})
    return resolve(spec, merged)


def param_schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The validation-relevant part of one parameter's schema (descriptions dropped)."""
    schema = resolve(spec, schema)
    out = {k: schema[k] for k in SCHEMA_KEYS if k in schema}
    if schema.get("type") == "array":
        out["items"] = param_schema(spec, schema.get("items", {}))
    return out


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    """Build the compact parameter description for the operations in ``OPERATIONS``."""
    found: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or op.get("operationId") not in OPERATIONS:
                continue
            op_id = op["operationId"]
            body = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
            params = {name: param_schema(spec, s) for name, s in body["properties"].items()}
            by_snake = {snake(name): name for name in params}
            groups = op.get("x-twilio", {}).get("conditional", [])
            one_of = [[by_snake[s] for s in group] for group in groups]
            example = op["responses"]["201"]["content"]["application/json"]["examples"]["create"]["value"]
            found[op_id] = {
                "kind": OPERATIONS[op_id],
                "method": method.upper(),
                "path": path,
                "required": body.get("required", []),
                "one_of": one_of,
                "params": params,
                "response_example": example,
            }
    missing = set(OPERATIONS) - set(found)
    if missing:
        raise SystemExit(f"operations not found in spec: {sorted(missing)}")
    return {
        "generated_by": "tests/support/extract_twilio_params.py",
        "spec_title": spec.get("info", {}).get("title"),
        "spec_version": spec.get("info", {}).get("version"),
        "operations": found,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    data = extract(json.loads(args.spec.read_text(encoding="utf-8")))
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    args.out.write_text(text, encoding="utf-8")
    counts = {op: len(v["params"]) for op, v in data["operations"].items()}
    print(f"wrote {args.out} {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
