"""The crawl output as a dataset: the record's schema (newscrawl.items.RECORD_SCHEMA) for
pyarrow, pandas and Hugging Face ``datasets``.

Without a schema, a reader infers each file's column types from its own lines: a site's file in
which ``via`` or ``lead`` is null everywhere gets a null column, and the next file's strings
cannot be cast to it ("Couldn't cast array of type string to null"). So:

* :func:`record_arrow_schema` is the pyarrow schema of a record (dates are timezone-aware UTC
  timestamps, to the second)::

      import pyarrow.json as paj
      table = paj.read_json(path, parse_options=paj.ParseOptions(explicit_schema=record_arrow_schema()))
      frame = table.to_pandas()          # published: datetime64[s, UTC]

* ``python -m newscrawl crawl`` writes a dataset card, ``<output>/README.md`` (:func:`write_dataset_card`),
  whose YAML front matter gives the features and the data files, so that
  ``datasets.load_dataset("output/")`` loads every site's JSONL with the same column types.

pyarrow is imported only by :func:`record_arrow_schema` (it comes with ``datasets``, a
development dependency: the crawl itself does not need it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newscrawl.atomic import write_text_atomic
from newscrawl.items import RECORD_SCHEMA, FieldSpec

CARD_NAME = "README.md"
CARD_MARK = "<!-- newscrawl dataset card: rewritten by each run; remove this line to keep your own -->"
DATA_FILES = "*/*.jsonl"
"""The dated JSONL files of every site (``<site>/<YYYY-MM-DD>.jsonl``); not runs/ nor text/."""
TIMESTAMP = "timestamp[s, tz=UTC]"


def arrow_type(spec: FieldSpec) -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(),
             "list[string]": pa.list_(pa.string()), "timestamp": pa.timestamp("s", tz="UTC")}
    return types[spec.type]


def record_arrow_schema() -> Any:
    """The record as a ``pyarrow.Schema`` (field order, types and nullability of RECORD_SCHEMA)."""
    import pyarrow as pa

    return pa.schema([pa.field(spec.name, arrow_type(spec), nullable=spec.nullable) for spec in RECORD_SCHEMA])


def feature_yaml(spec: FieldSpec) -> str:
    """One ``dataset_info.features`` entry, as ``datasets`` writes it."""
    if spec.type == "list[string]":
        return f"  - name: {spec.name}\n    list: string"
    dtype = TIMESTAMP if spec.type == "timestamp" else spec.type
    return f"  - name: {spec.name}\n    dtype: {dtype}"


def dataset_card(title: str = "newscrawl output") -> str:
    """The dataset card of an output folder: YAML front matter (configs + features), then prose."""
    features = "\n".join(feature_yaml(spec) for spec in RECORD_SCHEMA)
    rows = "\n".join(f"| `{s.name}` | {s.type} | {'yes' if s.nullable else 'no'} |" for s in RECORD_SCHEMA)
    return f"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: "{DATA_FILES}"
dataset_info:
  features:
{features}
---
{CARD_MARK}

# {title}

French news articles collected by newscrawl: one JSON line per article in
`<site>/<YYYY-MM-DD>.jsonl` (the text records in `<site>/text/`, the run manifests in `runs/`).
Copies (aggregator republications, wire stories on several sites) are not records.

```python
import datasets
ds = datasets.load_dataset("path/to/this/folder")   # every site, one schema
```

| field | type | nullable |
|---|---|---|
{rows}

`timestamp` fields are ISO 8601 strings with a UTC offset in the JSON, timezone-aware UTC
timestamps once loaded (`newscrawl.dataset.record_arrow_schema()` gives the pyarrow schema).
"""


def write_dataset_card(folder: Path | str) -> Path | None:
    """Write ``<folder>/README.md`` unless a card of someone else's is there (no marker line):
    the path written, or None."""
    path = Path(folder) / CARD_NAME
    if path.exists():
        try:
            ours = CARD_MARK in path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            ours = False
        if not ours:
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, dataset_card())
    return path
