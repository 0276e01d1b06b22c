"""Requests stored as JSON in Redis, never pickled."""

from __future__ import annotations

import base64
import json
from typing import Any


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not {"__bytes__", "__map__"} & value.keys():
            return {k: _encode(v) for k, v in value.items()}
        return {"__map__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"a {type(value).__name__} cannot be shared through Redis")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and "__bytes__" in value:
            return base64.b64decode(value["__bytes__"])
        if len(value) == 1 and "__map__" in value:
            return {_decode(k): _decode(v) for k, v in value["__map__"]}
        return {k: _decode(v) for k, v in value.items()}
    return value


class JsonSerializer:
    """scrapy-redis serializer (``loads``/``dumps``) for ``Request.to_dict()``: JSON with bytes
    and non-string keys tagged. Raises TypeError for anything else (the request stays local)."""

    @staticmethod
    def dumps(obj: Any) -> str:
        return json.dumps(_encode(obj), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @staticmethod
    def loads(data: bytes | str) -> Any:
        return _decode(json.loads(data))


JSON = JsonSerializer()
