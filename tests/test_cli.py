"""The migdata command line: main([...]) with capsys, plus one run of the installed script."""

from __future__ import annotations

import argparse
import io
import re
import shlex
import shutil
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import requests
import responses

import migdata.cli
from migdata.cli import build_parser, main
from migdata.errors import SourceError
from migdata.sources import worldbank
from migdata.sources.http import CACHE_ENV_VAR

RECORDED = Path(__file__).resolve().parent / "recorded"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["datasets"],
        ["datasets", "list"],
        ["datasets", "show"],
        ["datasets", "export"],
        ["concepts"],
        ["refresh"],
    ],
)
def test_help_everywhere(capsys, argv: list[str]) -> None:
    code, out, _ = _run(capsys, *argv, "--help")
    assert code == 0
    assert out.startswith("usage: migdata")
    assert "-h, --help" in out


def test_version(capsys) -> None:
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.startswith("migdata ")


def test_datasets_list(capsys) -> None:
    code, out, err = _run(capsys, "datasets", "list")
    assert code == 0 and err == ""
    first_words = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert {"wdi", "un_migrant_stock", "geostat_migration", "wpp_net_migration"} <= set(
        first_words
    )
    assert "licence:" in out and "vintage:" in out


def test_datasets_show(capsys) -> None:
    code, out, _ = _run(capsys, "datasets", "show", "geostat_population")
    assert code == 0
    assert out.startswith("geostat_population: ")
    assert "Caveats:" in out and "Columns:" in out
    assert "population" in out and "[persons]" in out
    assert "Tracing a row to its raw file:" in out and "source_row" in out


def test_datasets_export_csv_stdout_with_filters(capsys) -> None:
    code, out, _ = _run(
        capsys, "datasets", "export", "wdi", "--filter", "country=Georgia",
        "--filter", "indicator=SM.POP.NETM", "--filter", "year=2019",
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("country,")
    assert len(lines) == 2
    assert ",-5412.0," in lines[1]  # WDI spot check: GEO 2019 net migration


def test_datasets_export_files(capsys, tmp_path: Path) -> None:
    target = tmp_path / "geo.parquet"
    code, _, err = _run(
        capsys, "datasets", "export", "geostat_population", "--format", "parquet",
        "--output", str(target),
    )
    assert code == 0 and "wrote 23 rows" in err
    frame = pd.read_parquet(target)
    assert len(frame) == 23 and "population" in frame.columns
    csv = tmp_path / "g.csv"
    assert main(["datasets", "export", "geostat_migration", "-o", str(csv)]) == 0
    assert len(pd.read_csv(csv)) == 168


def test_parquet_without_pyarrow_names_the_extra(capsys, tmp_path: Path, monkeypatch) -> None:
    """pyarrow is in the maintainers' `data` extra, not in a student's install (issue 11)."""
    from migdata import datasets

    datasets.load("geostat_population")  # read once (cached), so only the export lacks pyarrow
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    target = tmp_path / "geo.parquet"
    code, out, err = _run(capsys, "datasets", "export", "geostat_population", "--format",
                          "parquet", "--output", str(target))
    assert code == 1 and out == "" and not target.exists()
    assert "needs pyarrow" in err and "pip install 'migdata[data]'" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["datasets", "show", "nope"], "unknown dataset 'nope'; available datasets: wdi"),
        (["datasets", "export", "wdi", "--filter", "country=Atlantis"], "country"),
        (["datasets", "export", "wdi", "--filter", "nonsense"], "COLUMN=VALUE"),
        (["datasets", "export", "wdi", "--format", "parquet"], "give --output FILE"),
        (["datasets", "export", "wdi", "-o", "/no/such/folder/x.csv"], "does not exist"),
        (["concepts", "nope"], "unknown concept 'nope'; known concepts: "),
    ],
)
def test_errors_are_one_line_and_non_zero(capsys, argv: list[str], expected: str) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert err.startswith("migdata: error: ") and expected in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["datasets", "export", "wdi", "--format", "xlsx"],
         "migdata datasets export: error: argument --format: invalid choice: 'xlsx'"),
        ([], "migdata: error: the following arguments are required: COMMAND"),
        (["refresh", "wdi", "--start", "abc"],
         "migdata refresh: error: argument --start: invalid int value: 'abc'"),
        (["datasets", "frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_are_one_line_exit_2(capsys, argv: list[str], expected: str) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert expected in err and err.rstrip().endswith("--help')")
    assert err.count("\n") == 1 and "usage:" not in err


def test_concepts_list_and_one(capsys) -> None:
    from migdata.concepts import CONCEPTS

    code, out, _ = _run(capsys, "concepts")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(CONCEPTS)
    cid = next(iter(CONCEPTS))
    code, out, _ = _run(capsys, "concepts", cid)
    assert code == 0
    assert CONCEPTS[cid].name in out and "Source: " in out


def _fake_sources(monkeypatch, behaviour):
    calls: list[tuple[str, dict]] = []

    def refresh(source, **kwargs):
        calls.append((source, kwargs))
        return behaviour(source, **kwargs)

    fake = types.SimpleNamespace(refresh=refresh, SOURCES={"wdi": "World Bank", "unhcr": "UNHCR"})
    monkeypatch.setitem(sys.modules, "migdata.sources", fake)
    return calls


def test_refresh_passes_options_and_writes_csv(capsys, monkeypatch) -> None:
    frame = pd.DataFrame({"country": ["GEO"], "year": [2019], "indicator": ["SM.POP.NETM"],
                          "value": [-5412.0]})
    calls = _fake_sources(monkeypatch, lambda source, **kw: frame)
    code, out, _ = _run(
        capsys, "refresh", "wdi", "--country", "GEO", "--country", "ARM",
        "--indicator", "SM.POP.NETM", "--start", "2010", "--end", "2020", "--no-progress",
    )
    assert code == 0
    assert out.splitlines() == ["country,year,indicator,value", "GEO,2019,SM.POP.NETM,-5412.0"]
    source, kwargs = calls[0]
    assert source == "wdi"
    assert kwargs["countries"] == ("GEO", "ARM")
    assert kwargs["indicators"] == ["SM.POP.NETM"]
    assert (kwargs["start"], kwargs["end"], kwargs["progress"]) == (2010, 2020, False)
    assert kwargs["cache"] is True and kwargs["fallback"] is True


def test_refresh_fallback_warning_is_one_line(capsys, monkeypatch) -> None:
    import warnings

    def offline(source, **kw):
        warnings.warn("World Bank API unreachable;\n using the bundled snapshot", stacklevel=1)
        return pd.DataFrame({"country": ["GEO"], "value": [1.0]})

    _fake_sources(monkeypatch, offline)
    code, out, err = _run(capsys, "refresh", "wdi")
    assert code == 0 and out.startswith("country,value")
    assert err == "migdata: warning: World Bank API unreachable; using the bundled snapshot\n"


def test_refresh_errors(capsys, monkeypatch) -> None:
    def fail(source, **kw):
        raise SourceError("World Bank API answered HTTP 503")

    _fake_sources(monkeypatch, fail)
    code, _, err = _run(capsys, "refresh", "wdi")
    assert code == 1 and err == "migdata: error: World Bank API answered HTTP 503\n"
    code, _, err = _run(capsys, "refresh", "rosstat")
    assert code == 1 and "unknown source 'rosstat'; sources: wdi, unhcr" in err
    code, _, err = _run(capsys, "refresh", "wdi", "--start", "2020", "--end", "2010")
    assert code == 1 and "before --start" in err


def test_installed_script_runs() -> None:
    exe = shutil.which("migdata") or str(Path(sys.executable).with_name("migdata"))
    if not Path(exe).exists():
        pytest.skip("the migdata script is not installed in this environment")
    ok = subprocess.run([exe, "datasets", "list"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "un_migrant_stock" in ok.stdout
    bad = subprocess.run([exe, "datasets", "show", "nope"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 1
    assert bad.stderr.startswith("migdata: error: unknown dataset 'nope'")
    assert "Traceback" not in bad.stderr


# --- every example the command line shows runs -------------------------------------------------
def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:  # argparse has no public walk of its subparsers
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _documented_examples() -> list[str]:
    """Commands in the module docstring and in every help text (placeholders excluded)."""
    doc = migdata.cli.__doc__ or ""
    found = re.findall(r"^\s+(migdata [^\n]+)$", doc, flags=re.MULTILINE)
    for parser in _parsers(build_parser()):
        text = parser.format_help()
        found += re.findall(r"Examples?: (migdata [^\n]+)", text)
        found += re.findall(r"'(migdata [^']+)'", text)
    placeholders = re.compile(r"\b(COMMAND|ACTION|ID|FILE|COLUMN|VALUE|CODE|YEAR)\b")
    commands = [c.strip() for c in found if not placeholders.search(c)]
    return sorted(set(commands))


def test_documented_examples_are_found() -> None:
    examples = _documented_examples()
    assert "migdata concepts rule_12_months" in examples
    assert any(e.startswith("migdata refresh wdi") for e in examples)
    assert any(e.startswith("migdata datasets export wdi") for e in examples)
    assert "migdata datasets list" in examples


@pytest.mark.parametrize("command", _documented_examples())
def test_every_documented_example_runs(
    command: str, capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example exits 0 without an error; 'refresh' runs offline (no request is answered)
    and so falls back to the bundled snapshot with one warning line."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "cache"))
    argv = shlex.split(command)[1:]
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        code, out, err = _run(capsys, *argv)
    assert code == 0, err
    assert "error" not in err
    if argv[0] == "refresh":
        warnings = [line for line in err.splitlines() if line.startswith("migdata: warning:")]
        assert len(warnings) == 1 and "bundled snapshot" in warnings[0]
    if "--output" in argv:
        written = tmp_path / argv[argv.index("--output") + 1]
        assert len(pd.read_csv(written)) > 0
    else:
        assert out.strip()


# --- refresh end to end on the real migdata.sources, replayed from tests/recorded/ -------------
def _recorded_worldbank(request: requests.PreparedRequest) -> tuple[int, dict, str]:
    indicator = urlparse(request.url).path.rsplit("/", 1)[-1]
    page = parse_qs(urlparse(request.url).query)["page"][0]
    path = RECORDED / f"worldbank_{indicator}_page{page}.json"
    if not path.is_file():
        path = RECORDED / "worldbank_invalid_indicator.json"
    return 200, {"Content-Type": "application/json"}, path.read_text(encoding="utf-8")


@pytest.fixture
def worldbank_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[responses.RequestsMock]:
    """The World Bank API as recorded (50 records a page); every other request is refused."""
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "cache"))
    monkeypatch.setattr(worldbank, "PER_PAGE", 50)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, re.compile(r"https://api\.worldbank\.org/v2/.*"),
                          callback=_recorded_worldbank)
        yield mock


def test_refresh_end_to_end_from_recorded_answers(capsys, worldbank_api, tmp_path) -> None:
    target = tmp_path / "wdi.parquet"
    code, out, err = _run(capsys, "refresh", "wdi", "--start", "2000", "--end", "2024",
                          "--no-progress", "--no-cache", "--format", "parquet", "-o", str(target))
    assert code == 0 and out == ""
    assert "warning" not in err  # live answers, no fallback
    frame = pd.read_parquet(target)
    assert list(frame.columns) == worldbank.COLUMNS
    assert len(worldbank_api.calls) == 4  # two indicators x two recorded pages
    geo = frame[(frame["country"] == "GEO") & (frame["indicator"] == "SM.POP.NETM")]
    assert geo.set_index("year").loc[2019, "value"] == -5412  # WDI spot check, GEO 2019
    assert set(frame["country"]) == {"ARM", "AZE", "GEO"}


def test_refresh_end_to_end_bad_indicator_is_one_line(capsys, worldbank_api) -> None:
    code, out, err = _run(capsys, "refresh", "wdi", "--indicator", "NOT.A.CODE", "--no-progress",
                          "--no-cache")
    assert code == 1 and out == ""
    assert err.startswith("migdata: error: the World Bank API rejected indicator 'NOT.A.CODE'")
    assert err.count("\n") == 1


def test_refresh_offline_real_sources(capsys, tmp_path, monkeypatch) -> None:
    """No network at all: a one-line warning and the bundled snapshot, or with --no-fallback
    one error line."""
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "cache"))
    argv = ["refresh", "wdi", "--country", "GEO", "--start", "2010", "--no-cache",
            "--no-progress"]
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        code, out, err = _run(capsys, *argv)
        frame = pd.read_csv(io.StringIO(out))
        assert code == 0
        assert err.count("\n") == 1 and err.startswith("migdata: warning: ")
        assert "could not be reached" in err and "bundled snapshot" in err
        assert set(frame["country"]) == {"GEO"} and frame["year"].min() == 2010
        assert frame.set_index(["indicator", "year"]).loc[("SM.POP.NETM", 2019), "value"] == -5412
        code, out, err = _run(capsys, *argv, "--no-fallback")
    assert code == 1 and out == ""
    assert err.startswith("migdata: error: wdi: the API could not be reached")
    assert err.count("\n") == 1
