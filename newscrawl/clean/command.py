"""``python -m newscrawl clean IN... -o OUT [--jsonl META]``: re-clean existing text records.

Inputs are text records (``NNN_<id>.txt``: title on the first line, then the lead and the
paragraphs) or folders of them (their ``*.txt`` files, not recursive). Each record is cleaned
with the same rules as the crawl and written under the same file name in OUT, title first. A bad
input (missing, unreadable, empty, not UTF-8, nothing but page chrome) gets one line on stderr
and is skipped; the others are still processed. Exit code 0 when every input was processed,
1 when any failed, 2 when OUT or META cannot be written. OUT may not be an input's own folder
(``clean X -o X`` is refused): ``--in-place`` rewrites the inputs themselves, deliberately
(with ``-o``, only the folder that holds them: ``--in-place -o Y`` is refused).

``--jsonl META`` writes one JSON object per cleaned record: ``file``, ``path``, ``title``,
``published``, ``modified``, ``authors``, ``paywalled``, ``removed`` (lines per rule),
``guard`` (steps whose guard kept the original text).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from newscrawl.atomic import write_text_atomic
from newscrawl.clean.record import RecordResult, clean_record
from newscrawl.clean.steps import DEFAULT_MAX_REMOVED_RATIO

PROG = "newscrawl clean"


class BadInput(Exception):
    """An input that cannot be cleaned; the message says why."""


@dataclass(frozen=True)
class Source:
    path: Path
    """The record to read (or the missing/bad input path)."""
    problem: str | None = None
    """Why the input cannot even be listed (missing path, empty folder)."""


def max_removed_ratio() -> float:
    """The guard's limit: NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO from the project settings."""
    from newscrawl import settings

    return float(getattr(settings, "NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO", DEFAULT_MAX_REMOVED_RATIO))


def list_sources(inputs: list[str]) -> Iterator[Source]:
    """Every record named by ``inputs``: files as given, folders' ``*.txt`` files sorted by name."""
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            try:
                files = sorted(p for p in path.iterdir()
                               if p.suffix == ".txt" and not p.name.startswith(".") and not p.is_dir())
            except OSError as exc:
                yield Source(path, f"cannot list folder: {exc.strerror}")
                continue
            if not files:
                yield Source(path, "no .txt records in this folder")
            yield from (Source(p) for p in files)
        elif path.exists():
            yield Source(path)
        else:
            yield Source(path, "no such file or folder")


def read_record(path: Path) -> str:
    """The record's text; BadInput when it cannot be read, is empty or is not UTF-8 text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise BadInput("empty file")
    if b"\x00" in data:
        raise BadInput("not a text file (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc


def meta_line(path: Path, result: RecordResult) -> dict[str, object]:
    return {
        "file": path.name, "path": str(path), "title": result.title, "published": result.published,
        "modified": result.modified, "authors": result.authors, "paywalled": result.paywalled,
        "removed": dict(sorted(result.removed.items())), "guard": result.guarded,
    }  # fmt: skip


def _error(path: Path | str, reason: str) -> None:
    print(f"{PROG}: {path}: skipped: {reason}", file=sys.stderr)


def clean_sources(sources: list[Source], out_dir: Path | None, meta: IO[str] | None, ratio: float) -> tuple[int, int]:
    """Clean every source into ``out_dir`` (None: over itself); (records written, inputs failed)."""
    written, failed = 0, 0
    names: dict[str, Path] = {}
    for source in sources:
        if source.problem:
            _error(source.path, source.problem)
            failed += 1
            continue
        path = source.path
        target_dir = path.parent if out_dir is None else out_dir
        if path.name in names and out_dir is not None:
            _error(path, f"same file name as {names[path.name]} (already written to {out_dir})")
            failed += 1
            continue
        try:
            result = clean_record(read_record(path), name=str(path), max_removed_ratio=ratio)
            if not result.title:
                raise BadInput("no text: only blank lines or page chrome")
            write_text_atomic(target_dir / path.name, result.text)
        except BadInput as exc:
            _error(path, str(exc))
            failed += 1
            continue
        except OSError as exc:
            _error(path, f"cannot write {target_dir / path.name}: {exc.strerror or exc}")
            failed += 1
            continue
        names[path.name] = path
        written += 1
        if meta is not None:
            meta.write(json.dumps(meta_line(path, result), ensure_ascii=False) + "\n")
    return written, failed


def overwritten_inputs(sources: list[Source], out_dir: Path) -> list[Path]:
    """Inputs that writing into ``out_dir`` would replace (``clean X -o X``)."""
    out = out_dir.resolve()
    return [s.path for s in sources if not s.problem and s.path.resolve() == out / s.path.name]


def run(args: argparse.Namespace) -> int:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format=f"{PROG}: %(levelname)s: %(message)s")
    in_place = bool(getattr(args, "in_place", False))
    if not args.output and not in_place:
        print(f"{PROG}: name an output folder with -o OUT (or rewrite the inputs with --in-place)", file=sys.stderr)
        return 2
    sources = list(list_sources(list(args.inputs)))
    out_dir = Path(args.output) if args.output else None
    if out_dir is not None and in_place:
        clash = set(overwritten_inputs(sources, out_dir))
        elsewhere = [s.path for s in sources if not s.problem and s.path not in clash]
        if elsewhere:
            print(f"{PROG}: --in-place rewrites the inputs, but -o {out_dir} is not where {elsewhere[0]} is; "
                  "drop -o (or --in-place to write the cleaned copies into -o)", file=sys.stderr)
            return 2
    elif out_dir is not None:
        clash = overwritten_inputs(sources, out_dir)
        if clash:
            print(f"{PROG}: refusing to overwrite the inputs: -o {out_dir} holds {clash[0]}"
                  f"{f' and {len(clash) - 1} other input(s)' if len(clash) > 1 else ''}; give another folder, "
                  "or pass --in-place to rewrite them", file=sys.stderr)
            return 2
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"{PROG}: cannot create output folder {out_dir}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    ratio = max_removed_ratio()
    meta: IO[str] | None = None
    if args.jsonl:
        try:
            Path(args.jsonl).parent.mkdir(parents=True, exist_ok=True)
            meta = Path(args.jsonl).open("w", encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as exc:
            print(f"{PROG}: cannot write {args.jsonl}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    try:
        written, failed = clean_sources(sources, out_dir, meta, ratio)
    finally:
        if meta is not None:
            meta.close()
    where = f"into {out_dir}" if out_dir is not None else "in place"
    print(f"{PROG}: {written} record(s) cleaned {where}, {failed} input(s) failed", file=sys.stderr)
    return 1 if failed else 0
