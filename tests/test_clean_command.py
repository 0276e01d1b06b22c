"""``python -m newscrawl clean`` in a subprocess: seeds in, the articles out, metadata aside; bad
inputs reported and skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import FIXTURES, ROOT


def run_clean(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "newscrawl", "clean", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_clean_seeds(tmp_path):
    out, meta = tmp_path / "out", tmp_path / "meta.jsonl"
    proc = run_clean("seeds", "-o", str(out), "--jsonl", str(meta))
    assert proc.returncode == 0, proc.stderr
    expected = sorted((FIXTURES / "seeds_clean").glob("*.txt"))
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in expected]
    for path in expected:
        assert (out / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    rows = {row["file"]: row for row in map(json.loads, meta.read_text(encoding="utf-8").splitlines())}
    assert sorted(rows) == [p.name for p in expected]
    row = rows["004_56b0e7b491b1ad03.txt"]
    assert row["published"] == "2025-08-13T10:39:00+02:00"
    assert row["authors"] == ["Cédric Balcon-Hermand"]
    assert row["paywalled"] is False
    assert row["guard"] == []
    assert row["removed"] == {"footer_block": 8, "orphan_heading": 1}
    assert row["title"] == "La Corée du Nord et la Russie renforcent leur alliance avant le sommet Trump-Poutine"
    assert rows["000_d916807ba8037e94.txt"]["removed"]["related_block"] == 16


def test_bad_inputs_are_reported_and_skipped(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    good = (ROOT / "seeds" / "001_8f0bcb73f769751f.txt").read_bytes()
    (src / "good.txt").write_bytes(good)
    (src / "empty.txt").write_bytes(b"")
    (src / "latin1.txt").write_bytes("Un titre\nÉté caniculaire à Montauban\n".encode("latin-1"))
    (src / "chrome.txt").write_text("logo\nPublicité\n", encoding="utf-8")
    (src / "gone.txt").symlink_to(tmp_path / "nowhere.txt")  # unreadable: a dangling link
    out = tmp_path / "out"
    proc = run_clean(str(src), str(tmp_path / "missing.txt"), "-o", str(out))
    assert proc.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["good.txt"]
    assert (out / "good.txt").read_text(encoding="utf-8") == \
        (FIXTURES / "seeds_clean" / "001_8f0bcb73f769751f.txt").read_text(encoding="utf-8")
    errors = {line.split(": ")[1]: line for line in proc.stderr.splitlines() if "skipped" in line}
    assert "empty file" in errors[str(src / "empty.txt")]
    assert "not UTF-8" in errors[str(src / "latin1.txt")]
    assert "only blank lines or page chrome" in errors[str(src / "chrome.txt")]
    assert "cannot read" in errors[str(src / "gone.txt")]
    assert "no such file" in errors[str(tmp_path / "missing.txt")]
    assert "1 record(s) cleaned" in proc.stderr
