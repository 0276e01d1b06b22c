"""A crawl command line argparse cannot read is a configuration error (exit 3), never exit 2:
2 is "another run holds the lock", which the cron recipe of docs/operations.md skips silently."""

from __future__ import annotations

import pytest

from newscrawl.__main__ import main


@pytest.mark.parametrize("argv", [
    ["crawl", "franceinfo", "--no-such-option"],
    ["crawl", "franceinfo", "--max-age"],  # an option without its value
    ["crawl", "--all", "-s"],
])
def test_a_crawl_usage_error_exits_3_not_the_lock_code(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 3
    assert "error:" in capsys.readouterr().err


def test_help_still_exits_0(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["crawl", "--help"])
    assert exc.value.code == 0
