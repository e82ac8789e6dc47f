"""What ``migdata-course collect`` writes from ngshare's answer, without a hub (issue 22).

The real route, with JupyterHub and ngshare, is ``tests/test_hub_ngshare.py``. Here: the file
list ngshare sends for a hand-in is written only inside the hand-in's folder, whole or not at all,
and ngshare's times are read as UTC.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from traitlets.config import Config

from migdata.grading.exchange import RefusedHandin
from migdata.grading.ngshare import parse_ngshare_time, uses_ngshare, write_files


def _file(path: str, data: bytes = b"{}") -> dict:
    return {"path": path, "content": base64.b64encode(data).decode()}


def test_files_are_written_inside_the_folder(tmp_path):
    dest = tmp_path / "handin"
    write_files([_file("a.ipynb", b'{"x": 1}'), _file("data/t.csv", b"1,2")], dest, 10_000)
    assert (dest / "a.ipynb").read_bytes() == b'{"x": 1}'
    assert (dest / "data" / "t.csv").read_bytes() == b"1,2"
    assert oct((dest / "a.ipynb").stat().st_mode & 0o777) == "0o644"


@pytest.mark.parametrize("path", ["../escape.ipynb", "/etc/passwd", "a/../../b", "./a", "",
                                  "a//b", "a\\..\\b", "nul\x00.ipynb", None])
def test_a_path_leaving_the_folder_refuses_the_whole_handin(tmp_path, path):
    dest = tmp_path / "handin"
    with pytest.raises(RefusedHandin):
        write_files([_file("ok.ipynb"), {"path": path, "content": ""}], dest, 10_000)
    assert not dest.exists()  # nothing of it is left
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_too_large_or_twice_named_handins_are_refused(tmp_path):
    with pytest.raises(RefusedHandin, match="larger than"):
        write_files([_file("a.ipynb", b"x" * 600), _file("b.ipynb", b"x" * 600)],
                    tmp_path / "big", 1000)
    with pytest.raises(RefusedHandin, match="twice"):
        write_files([_file("a.ipynb"), _file("a.ipynb")], tmp_path / "twice", 1000)
    assert list(tmp_path.iterdir()) == []


def test_ngshare_times_are_utc():
    naive = parse_ngshare_time("2026-12-07 17:50:01.123456")
    assert naive == datetime(2026, 12, 7, 17, 50, 1, 123456, tzinfo=UTC)
    assert parse_ngshare_time("2026-12-07 17:50:01.123456 UTC") == naive


def test_the_folder_exchange_is_not_mistaken_for_ngshare():
    cfg = Config()
    assert not uses_ngshare(cfg)
    cfg.ExchangeFactory.collect = "nbgrader.exchange.default.collect.ExchangeCollect"
    assert not uses_ngshare(cfg)
    cfg.ExchangeFactory.collect = "ngshare_exchange.ExchangeCollect"
    assert uses_ngshare(cfg)
