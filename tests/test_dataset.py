"""The crawl output loads as a dataset (issue 15): one published schema (newscrawl.items.RECORD_SCHEMA),
a dataset card in the output folder, the same types through datasets, pyarrow and pandas."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import typing

import pytest

from newscrawl.dataset import CARD_MARK, dataset_card, record_arrow_schema, write_dataset_card
from newscrawl.items import RECORD_FIELDS, RECORD_SCHEMA, ArticleItem
from tests.cronsite import ROOT

SAMPLE = ROOT / "samples" / "sample.warc.gz"


def test_the_schema_is_the_record_field_list_with_the_item_s_nullability():
    assert tuple(spec.name for spec in RECORD_SCHEMA) == RECORD_FIELDS
    hints = typing.get_type_hints(ArticleItem)
    for spec in RECORD_SCHEMA:
        if spec.nullable:
            continue
        assert type(None) not in typing.get_args(hints[spec.name]), f"{spec.name} may be None in ArticleItem"
    record_types = {f.name for f in dataclasses.fields(ArticleItem)}
    assert set(RECORD_FIELDS) <= record_types


def test_a_card_of_someone_else_is_kept_ours_is_rewritten(tmp_path):
    (tmp_path / "README.md").write_text("# my notes\n", encoding="utf-8")
    assert write_dataset_card(tmp_path) is None
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# my notes\n"
    (tmp_path / "README.md").write_text(f"{CARD_MARK}\nold\n", encoding="utf-8")
    assert write_dataset_card(tmp_path) == tmp_path / "README.md"
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == dataset_card()


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    """A multi-site output: the crawl command replaying the bundled sample."""
    tmp = tmp_path_factory.mktemp("dataset")
    out = tmp / "out"
    result = subprocess.run(
        [sys.executable, "-m", "newscrawl", "crawl", "--all", "--output", str(out),
         "-s", f"NEWSCRAWL_REPLAY={SAMPLE}", "-s", f"NEWSCRAWL_STATE_DIR={tmp / 'state'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert f"dataset card: {out / 'README.md'}" in result.stdout
    return out


def jsonl_records(out):
    return {path: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            for path in sorted(out.glob("*/*.jsonl"))}


@pytest.mark.e2e
def test_load_dataset_reads_a_multi_site_output_with_every_column_typed(output, tmp_path, monkeypatch):
    files = jsonl_records(output)
    assert len(files) >= 4
    # The case that broke schema inference: a column null in every line of one file, a string in another.
    def all_null(name):
        return [p for p, recs in files.items() if all(r[name] is None for r in recs)]

    assert any(all_null(name) and len(all_null(name)) < len(files) for name in ("via", "original_url", "lead"))

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets  # a dev dependency (requirements-dev.txt)

    ds = datasets.load_dataset(str(output), cache_dir=str(tmp_path / "cache"))["train"]
    assert ds.num_rows == sum(len(recs) for recs in files.values())
    schema = record_arrow_schema()
    assert ds.column_names == list(RECORD_FIELDS)
    for field in schema:
        assert ds.data.schema.field(field.name).type == field.type, field.name
    assert ds.features == datasets.Features.from_arrow_schema(schema)
    row = next(r for r in ds if r["published"] is not None)
    assert row["published"].utcoffset() is not None  # timezone-aware
    by_id = {r["id"]: r for recs in files.values() for r in recs}
    first = ds[0]
    assert first["title"] == by_id[first["id"]]["title"]
    assert first["authors"] == by_id[first["id"]]["authors"]


@pytest.mark.e2e
def test_pyarrow_and_pandas_read_the_output_with_the_same_schema(output):
    import pyarrow as pa
    import pyarrow.json as paj
    schema = record_arrow_schema()
    tables = [paj.read_json(path, parse_options=paj.ParseOptions(explicit_schema=schema))
              for path in sorted(output.glob("*/*.jsonl"))]
    table = pa.concat_tables(tables)
    assert [(f.name, f.type) for f in table.schema] == [(f.name, f.type) for f in schema]
    for field in schema:  # what the schema says is never null is not null in the output
        if not field.nullable:
            assert table.column(field.name).null_count == 0, field.name
    frame = table.to_pandas()
    assert str(frame["published"].dtype) == "datetime64[s, UTC]"
    assert str(frame["crawled_at"].dtype) == "datetime64[s, UTC]"
    assert frame["word_count"].dtype.kind == "i"
