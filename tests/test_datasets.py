"""The curated datasets: loading, filters, errors, caching and the catalogue."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from migdata.datasets import clear_cache, describe, list_datasets, load
from migdata.datasets.paths import ENV_VAR, datasets_dir
from migdata.errors import (
    DataFileError,
    InvalidInputError,
    UnknownDatasetError,
    UnknownValueError,
)

DATASET_IDS = list_datasets()["id"].tolist()


def test_list_datasets_has_the_documented_columns_and_every_resource() -> None:
    table = list_datasets()
    assert list(table.columns) == ["id", "title", "source", "vintage", "licence", "rows"]
    required = {
        "wdi", "un_migrant_stock", "un_migrant_stock_aggregates", "un_migrant_stock_totals",
        "wpp_net_migration", "geostat_migration", "geostat_population", "unhcr_population",
        "idps", "armstat_registered_migration", "press_figures", "azstat_migration",
        "azstat_population", "az_sms", "armstat_border_press",
    }
    package = json.loads((datasets_dir() / "datapackage.json").read_text(encoding="utf-8"))
    assert table["id"].tolist() == [res["name"] for res in package["resources"]]
    assert required <= set(table["id"])
    assert (table["rows"] > 0).all()
    assert table[["title", "source", "vintage", "licence"]].ne("").all().all()


@pytest.mark.parametrize("dataset_id", DATASET_IDS)
def test_every_dataset_loads_with_its_documented_columns_and_row_count(dataset_id: str) -> None:
    meta = describe(dataset_id)
    # Datasets with default filters (un_migrant_stock: revision 2019) give every row only
    # when all the values of the filtered column are asked for.
    every = {"revision": [2019, 2024]} if "default_filters" in meta else {}
    frame = load(dataset_id, **every)
    assert list(frame.columns) == meta["columns"]
    assert len(frame) == meta["rows"]
    for key in ("title", "description", "sources", "licenses", "vintage", "caveats",
                "row_mapping"):
        assert meta[key], f"{dataset_id}: empty {key}"
    for source in meta["sources"]:
        assert {"publisher", "title", "path", "raw_file"} <= set(source)


@pytest.mark.parametrize(
    ("dataset_id", "columns"),
    [
        ("wdi", ["country", "year", "indicator", "value", "vintage"]),
        ("un_migrant_stock", ["revision", "year", "origin", "destination", "sex", "stock"]),
        ("un_migrant_stock_totals", ["revision", "year", "country", "measure", "value"]),
        ("wpp_net_migration",
         ["country", "year", "net_migration", "net_migration_rate", "variant"]),
        ("geostat_migration", ["year", "flow", "sex", "citizenship", "persons"]),
        ("armstat_registered_migration", ["year", "partner", "measure", "persons", "check"]),
    ],
)
def test_stable_columns_that_other_modules_rely_on(dataset_id: str, columns: list[str]) -> None:
    assert set(columns) <= set(load(dataset_id).columns)


# ------------------------------------------------------------------ spot checks (PROVENANCE)


@pytest.mark.parametrize(
    ("country", "indicator", "year", "expected"),
    [
        ("GEO", "SM.POP.NETM", 2019, -5412),
        ("GEO", "SM.POP.NETM", 2022, 26999),
        ("ARM", "SM.POP.NETM", 2023, 75000),
        ("AZE", "SM.POP.NETM", 2023, -84122),
        ("UKR", "SM.POP.NETM", 2022, -5699445),
        ("WLD", "SM.POP.NETM", 2024, 0),
        ("GEO", "SP.POP.TOTL", 2023, 3715483),
        ("ARM", "SP.POP.TOTL", 2023, 2990900),
        ("AZE", "SP.POP.TOTL", 2023, 10153958),
    ],
)
def test_wdi_spot_checks(country: str, indicator: str, year: int, expected: int) -> None:
    row = load("wdi", country=country, indicator=indicator, year=year)
    assert len(row) == 1
    assert row["value"].iloc[0] == expected
    assert row["vintage"].iloc[0] == "2025-04-15"


def test_wdi_keeps_gaps_empty_rather_than_zero() -> None:
    pop_2024 = load("wdi", indicator="SP.POP.TOTL", year=2024)
    assert len(pop_2024) > 200
    assert pop_2024["value"].isna().all()


@pytest.mark.parametrize(
    ("origin", "destination", "year", "sex", "expected"),
    [
        ("ARM", "RUS", 1990, "total", 535266),
        ("ARM", "RUS", 2019, "total", 527163),
        ("AZE", "RUS", 2019, "total", 767159),
        ("GEO", "RUS", 2019, "total", 450115),
        ("ARM", "RUS", 2019, "male", 295806),
        ("ARM", "RUS", 2019, "female", 231357),
        ("RUS", "GEO", 2019, "total", 37060),
        ("AZE", "ARM", 2019, "total", 78478),
        ("ARM", "AZE", 2019, "total", 142650),
    ],
)
def test_un_stock_spot_checks(
    origin: str, destination: str, year: int, sex: str, expected: int
) -> None:
    row = load("un_migrant_stock", origin=origin, destination=destination, year=year, sex=sex)
    assert row["stock"].tolist() == [expected]
    assert row["revision"].tolist() == [2019]


def test_un_stock_is_the_whole_world_and_keeps_areas_without_iso3() -> None:
    stock = load("un_migrant_stock", year=2019, sex="total")
    assert stock["destination"].nunique() > 200
    assert stock["origin"].nunique() > 200
    channel = stock[stock["origin_m49"] == 830]
    assert len(channel) > 0 and channel["origin"].isna().all()
    # Aggregates (M49 >= 900) live in their own resource, never in the country matrix.
    assert (stock["destination_m49"] < 900).all() and (stock["origin_m49"] < 900).all()
    world = load("un_migrant_stock_aggregates", destination_name="WORLD", origin_name="Total",
                 year=1990, sex="total")
    assert world["stock"].tolist() == [153011473]


def test_un_totals_keep_revisions_apart() -> None:
    totals = load("un_migrant_stock_totals", country="Armenia", measure="migrant_stock",
                  sex="total")
    assert totals.set_index(["revision", "year"]).loc[(2019, 2019), "value"] == 190159
    assert totals.set_index(["revision", "year"]).loc[(2020, 2020), "value"] == 190349
    aze = load("un_migrant_stock_totals", country="AZE", measure="migrant_stock", sex="total",
               year=2005).set_index("revision")["value"]
    assert aze.to_dict() == {2019: 302220, 2020: 301834}
    keys = ["revision", "country", "measure", "sex", "period"]
    assert not load("un_migrant_stock_totals").duplicated(keys).any()


def test_un_totals_symbols_stay_empty_with_their_note() -> None:
    refugees = load("un_migrant_stock_totals", revision=2020, country="GEO",
                    measure="refugee_stock", year=1990)
    assert refugees["value"].isna().all() and refugees["value_note"].tolist() == ["~"]
    pop = load("un_migrant_stock_totals", revision=2020, country="ARM", measure="population",
               sex="total", year=2020)
    assert pop["value"].tolist() == [2963.234] and pop["unit"].tolist() == ["thousand persons"]


def test_wpp_keeps_the_published_unit_and_says_so() -> None:
    meta = describe("wpp_net_migration")
    assert meta["units"]["net_migration"] == "thousand persons"
    assert meta["units"]["net_migration_rate"] == "per 1,000 population"
    arm = load("wpp_net_migration", country="ARM", year=[2023, 2024])
    assert arm["variant"].tolist() == ["estimates", "medium projection"]
    assert arm["net_migration"].abs().max() < 1000  # thousands, not persons


def test_national_spot_checks() -> None:
    geo = load("geostat_migration", year=2014, sex="total", citizenship="all")
    assert geo.set_index("flow")["persons"].to_dict() == {
        "immigrants": 82161, "emigrants": 88704}
    pop = load("geostat_population", year=[2024, 2025]).set_index("year")
    assert pop.loc[2025, "estimate_basis"] != pop.loc[2024, "estimate_basis"]
    arm = load("armstat_registered_migration", year=2021, partner="Total")
    assert (arm["check"].str.startswith("INCONSISTENT")).all()
    ok = load("armstat_registered_migration", year=2023)
    assert (ok["check"] == "consistent").all()
    idmc = load("idps", country="Armenia", source="IDMC", year=2009)
    assert idmc["persons"].tolist() == [8400]
    press = load("press_figures", country="AZE")
    assert (press["flag"] == "secondary (press)").all() and press["unit"].notna().all()


# ------------------------------------------------------------------ filters and errors


def test_country_filters_accept_names_and_alpha2() -> None:
    by_code = load("unhcr_population", asylum="ARM", year=2023)
    by_name = load("unhcr_population", asylum="Armenia", year=2023)
    by_alpha2 = load("unhcr_population", asylum="am", year="2023")
    pd.testing.assert_frame_equal(by_code, by_name)
    pd.testing.assert_frame_equal(by_code, by_alpha2)
    assert len(by_code) > 0


def test_list_filters_keep_any_of_the_values() -> None:
    both = load("wdi", country=["ARM", "Georgia"], indicator="SM.POP.NETM", year=2019)
    assert sorted(both["country"]) == ["ARM", "GEO"]


def test_unknown_dataset_lists_the_ids() -> None:
    with pytest.raises(UnknownDatasetError, match="un_migrant_stock") as info:
        load("migrant_stock")
    assert "migrant_stock" in str(info.value)
    with pytest.raises(LookupError):
        describe("nope")


def test_unknown_filter_column_lists_the_columns() -> None:
    with pytest.raises(UnknownValueError, match="indicator") as info:
        load("wdi", iso3="GEO")
    assert "'iso3'" in str(info.value)


def test_year_filters_take_ints_strings_and_lists_but_never_truncate() -> None:
    assert load("geostat_population", year=2019)["population"].tolist() == [3723464]
    assert len(load("geostat_population", year="2019")) == 1
    assert load("geostat_population", year=[2024, 2025])["year"].tolist() == [2024, 2025]
    assert len(load("geostat_population", year=range(2004, 2010))) == 6
    with pytest.raises(UnknownValueError, match=r"year=2019\.5"):
        load("geostat_population", year=2019.5)
    with pytest.raises(UnknownValueError, match="at least one value"):
        load("geostat_population", year=[])


@pytest.mark.parametrize(
    ("filters", "named"),
    [({"country": "Atlantis"}, "Atlantis"), ({"year": 1800}, "1800"),
     ({"indicator": "SM.POP.TOTL"}, "SM.POP.NETM"), ({"sex": "both"}, "both")],
)
def test_unknown_filter_value_lists_what_exists(filters: dict, named: str) -> None:
    dataset = "un_migrant_stock" if "sex" in filters else "wdi"
    with pytest.raises(UnknownValueError, match=named):
        load(dataset, **filters)


# ------------------------------------------------------------------ caching and location


def test_loaded_frames_are_copies_of_the_cache() -> None:
    first = load("geostat_population")
    first.loc[0, "population"] = -1
    first["extra"] = 1
    again = load("geostat_population")
    assert again.loc[0, "population"] == 3937716
    assert "extra" not in again.columns
    filtered = load("geostat_population", year=2004)
    filtered.loc[0, "population"] = -2
    assert load("geostat_population", year=2004)["population"].tolist() == [3937716]


def test_full_matrix_loads_in_well_under_a_second_and_then_in_milliseconds() -> None:
    clear_cache()
    start = time.perf_counter()
    matrix = load("un_migrant_stock")
    first = time.perf_counter() - start
    start = time.perf_counter()
    load("un_migrant_stock")
    cached = time.perf_counter() - start
    assert len(matrix) > 200_000
    assert first < 1.0, f"first load took {first:.3f} s"
    assert cached < 0.05, f"cached load took {cached:.3f} s"


def test_env_var_points_the_loader_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(datasets_dir() / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copy(datasets_dir() / "geostat_population.csv", tmp_path / "geostat_population.csv")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    clear_cache()
    try:
        assert datasets_dir() == tmp_path
        assert len(load("geostat_population")) == 23
        monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing"))
        with pytest.raises(FileNotFoundError, match=ENV_VAR):
            datasets_dir()
    finally:
        monkeypatch.delenv(ENV_VAR)
        clear_cache()


def test_an_installed_package_finds_its_bundled_copy(tmp_path: Path) -> None:
    """The wheel force-includes datasets/ as migdata/_bundled_datasets: the loader uses it."""
    import os
    import subprocess
    import sys

    import migdata

    site = tmp_path / "site"
    shutil.copytree(Path(migdata.__file__).parent, site / "migdata",
                    ignore=shutil.ignore_patterns("__pycache__"))
    bundled = site / "migdata" / "_bundled_datasets"
    bundled.mkdir()
    for name in ("datapackage.json", "geostat_population.csv"):
        shutil.copy(datasets_dir() / name, bundled / name)
    code = ("import migdata.datasets as d; print(d.datasets_dir()); "
            "print(len(d.load('geostat_population')))")
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env, cwd=tmp_path)
    assert out.stdout.split() == [str(bundled), "23"]


def test_every_area_without_iso3_is_the_documented_one() -> None:
    stock = load("un_migrant_stock")
    no_iso = set(stock.loc[stock["origin"].isna(), "origin_m49"])
    no_iso |= set(stock.loc[stock["destination"].isna(), "destination_m49"])
    assert no_iso == {830}
    assert "Channel Islands (830)" in " ".join(describe("un_migrant_stock")["caveats"])
    wpp = load("wpp_net_migration")
    assert set(wpp.loc[wpp["country"].isna(), "country_m49"]) == {412}
    assert "Kosovo (412)" in " ".join(describe("wpp_net_migration")["caveats"])


@pytest.mark.parametrize(
    ("dataset", "filters", "expected"),
    [("wdi", {"country": "Atlantis"}, "English country name"),
     ("un_migrant_stock", {"origin": "Narnia"}, "alpha-3"),
     ("wdi", {"year": "abc"}, "whole number")],
)
def test_unknown_filter_value_says_what_form_was_expected(
    dataset: str, filters: dict, expected: str
) -> None:
    with pytest.raises(UnknownValueError, match=expected):
        load(dataset, **filters)


def test_catalogue_shows_each_licence_once_in_order() -> None:
    catalogue = list_datasets().set_index("id")["licence"]
    for name in catalogue.index:
        names = [lic["name"] for lic in describe(name).get("licenses", [])]
        assert catalogue[name] == "; ".join(dict.fromkeys(names))
        assert len(catalogue[name].split("; ")) == len(set(names))
    # idps has two sources (UNHCR, IDMC), neither stating a licence: shown once, not twice.
    assert catalogue["idps"] == "not-stated"


# ------------------------------------------------------------------ damaged files (issue 12)


BUNDLED = datasets_dir()


def _copy_package(tmp_path: Path, dataset: str) -> tuple[Path, dict]:
    """A datasets folder in tmp_path holding datapackage.json and the file of ``dataset``."""
    package = json.loads((BUNDLED / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in package["resources"] if r["name"] == dataset)
    shutil.copy(BUNDLED / res["path"], tmp_path / res["path"])
    return tmp_path / res["path"], package


def _write_package(tmp_path: Path, package: dict, dataset: str, data: bytes | None = None,
                   **changes: object) -> None:
    """Write datapackage.json, recording ``data``'s size and hash for ``dataset`` if given."""
    import hashlib

    res = next(r for r in package["resources"] if r["name"] == dataset)
    if data is not None:
        res["bytes"] = len(data)
        res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    res.update(changes)
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    clear_cache()
    yield tmp_path
    monkeypatch.delenv(ENV_VAR)
    clear_cache()


def test_a_csv_cut_at_a_row_boundary_is_refused_naming_dataset_and_file(folder: Path) -> None:
    path, package = _copy_package(folder, "geostat_population")
    _write_package(folder, package, "geostat_population")
    assert len(load("geostat_population")) == 23  # intact: loads
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:12]))  # header and 11 rows: a valid, shorter CSV
    clear_cache()
    with pytest.raises(DataFileError, match=r"'geostat_population'.*geostat_population\.csv"
                       r".*bytes but datapackage.json records"):
        load("geostat_population")


def test_a_changed_digit_is_refused_by_its_sha256(folder: Path) -> None:
    path, package = _copy_package(folder, "geostat_population")
    _write_package(folder, package, "geostat_population")
    data = path.read_bytes()
    path.write_bytes(data.replace(b"3723464", b"3723465"))  # same size, one digit changed
    with pytest.raises(DataFileError, match=r"geostat_population\.csv has sha256 [0-9a-f]{64} "
                       r"but datapackage.json records"):
        load("geostat_population")
    with pytest.raises(OSError):  # DataFileError is also an OSError
        load("geostat_population")


@pytest.mark.parametrize("dataset", ["wdi", "un_migrant_stock"])
def test_a_changed_byte_of_a_big_file_is_refused_by_its_sha256(folder: Path, dataset: str) -> None:
    """The big files are hashed in a thread while they are parsed (and un_migrant_stock is
    decompressed there): the hash still decides, even where the parser also fails."""
    path, package = _copy_package(folder, dataset)
    _write_package(folder, package, dataset)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size; a gzip stream so changed no longer inflates
    path.write_bytes(bytes(data))
    with pytest.raises(DataFileError, match=rf"{dataset}\.csv(\.gz)? has sha256 [0-9a-f]{{64}} "
                       r"but datapackage.json records"):
        load(dataset)


def test_rows_are_checked_against_the_package_even_when_the_hash_matches(folder: Path) -> None:
    path, package = _copy_package(folder, "geostat_population")
    lines = path.read_bytes().splitlines(keepends=True)
    data = b"".join(lines[:12])
    path.write_bytes(data)
    _write_package(folder, package, "geostat_population", data)  # hash fits, rows do not
    with pytest.raises(DataFileError, match=r"has 11 data rows but datapackage\.json records 23"):
        load("geostat_population")


def test_a_missing_file_is_named(folder: Path) -> None:
    _, package = _copy_package(folder, "idps")
    _write_package(folder, package, "idps")
    with pytest.raises(DataFileError, match=r"dataset 'geostat_population'.*is missing"):
        load("geostat_population")


def test_a_truncated_gzip_is_a_migdata_error_naming_the_file(folder: Path) -> None:
    path, package = _copy_package(folder, "un_migrant_stock")
    data = path.read_bytes()[:200_000]
    path.write_bytes(data)
    _write_package(folder, package, "un_migrant_stock", data)  # record fits: the parser sees it
    with pytest.raises(DataFileError, match=r"'un_migrant_stock'.*un_migrant_stock\.csv\.gz is "
                       r"not a complete gzip file"):
        load("un_migrant_stock")


@pytest.mark.parametrize(
    ("mangle", "named"),
    [
        (lambda d: d.replace(b"country,year,population", b"country,year,persons", 1),
         r"lacks the column\(s\) population and has unexpected column\(s\) persons"),
        (lambda d: d.replace(b"3723464", b"37x3464"), "holds a value its schema does not allow"),
        (lambda d: d + b"GEO,2026,1,2,3,4,5,6\n", "cannot be read as CSV"),
        (lambda d: b"\xff\xfe" + d, "cannot be read as CSV"),
    ],
)
def test_parser_errors_become_migdata_errors_naming_the_file(
    folder: Path, mangle, named: str
) -> None:
    path, package = _copy_package(folder, "geostat_population")
    data = mangle(path.read_bytes())
    path.write_bytes(data)
    _write_package(folder, package, "geostat_population", data)
    with pytest.raises(DataFileError, match=named) as info:
        load("geostat_population")
    assert "geostat_population.csv" in str(info.value)


def test_broken_datapackage_json_is_named(folder: Path) -> None:
    (folder / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"datapackage\.json is damaged"):
        load("wdi")
    with pytest.raises(DataFileError, match=r"datapackage\.json"):
        list_datasets()


def test_each_file_is_hashed_once_per_process(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migdata.datasets import integrity, loading

    path, package = _copy_package(folder, "geostat_population")
    _write_package(folder, package, "geostat_population")
    calls = []
    real = integrity._digest
    monkeypatch.setattr(integrity, "_digest", lambda *a: calls.append(1) or real(*a))
    load("geostat_population")
    loading._frame.cache_clear()  # the frame is read again, the unchanged file not re-hashed
    load("geostat_population")
    assert len(calls) == 1
    path.write_bytes(path.read_bytes().replace(b"3723464", b"3723465"))  # changed on disk
    loading._frame.cache_clear()
    with pytest.raises(DataFileError, match="sha256"):
        load("geostat_population")
    assert len(calls) == 2


def test_every_bundled_file_matches_its_record() -> None:
    from migdata.datasets import integrity

    integrity.forget()
    for dataset in DATASET_IDS:
        res = describe(dataset)
        data = integrity.read_verified(Path(res["file"]), dataset, res)
        assert len(data) == res["bytes"]


def test_loading_needs_neither_pyarrow_nor_frictionless(tmp_path: Path) -> None:
    """Run in a fresh interpreter where importing pyarrow or frictionless fails."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pyarrow', 'frictionless'):\n"
        "            raise ImportError(f'{name} is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from migdata.datasets import list_datasets, load\n"
        "for d in list_datasets()['id']:\n"
        "    frame = load(d)\n"
        "    assert len(frame) > 0, d\n"
        "print(load('wdi', country='GEO', indicator='SM.POP.NETM', year=2019)['value'].iloc[0])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pyarrow', 'frictionless'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["-5412.0", "[]"]


@pytest.mark.parametrize("dataset_id", DATASET_IDS)
def test_c_engine_gives_the_dtypes_the_pyarrow_engine_gave(dataset_id: str) -> None:
    pytest.importorskip("pyarrow")
    from migdata.datasets.catalog import resource
    from migdata.datasets.loading import _DTYPES, _frame

    res = resource(dataset_id)
    dtypes = {f["name"]: _DTYPES[f["type"]] for f in res["schema"]["fields"]}
    old = pd.read_csv(datasets_dir() / res["path"], engine="pyarrow", dtype=dtypes,
                      keep_default_na=False, na_values=res["schema"]["missingValues"])
    for name, dtype in dtypes.items():
        if dtype == "Int64" and not old[name].hasnans:
            old[name] = old[name].astype("int64")
        elif dtype == "boolean" and not old[name].hasnans:
            old[name] = old[name].astype(bool)
    new = _frame(datasets_dir(), dataset_id)  # the whole file, before any default filter
    assert list(new.dtypes) == list(old.dtypes)
    pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_load_gives_equal_frames_with_and_without_pyarrow(tmp_path: Path) -> None:
    """Every dataset, as load() returns it, where pyarrow cannot be imported (a student's
    install) and here: the same values, columns, index and dtypes. Only the storage behind
    text columns may differ: pandas backs its 'str' dtype with pyarrow where pyarrow is
    installed and with Python objects where it is not; the dtype is 'str' on both sides."""
    import subprocess
    import sys

    pytest.importorskip("pyarrow")
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pyarrow':\n"
        "            raise ImportError(f'{name} is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from migdata.datasets import list_datasets, load\n"
        "for d in list_datasets()['id']:\n"
        f"    load(d).to_pickle({str(tmp_path)!r} + f'/{{d}}.pkl')\n"
        "print(sorted(m for m in sys.modules if m.startswith('pyarrow')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"  # pyarrow really was absent there
    for dataset in DATASET_IDS:
        without = pd.read_pickle(tmp_path / f"{dataset}.pkl")
        here = load(dataset)
        assert [str(t) for t in without.dtypes] == [str(t) for t in here.dtypes], dataset
        text = [c for c in here.columns if str(here[c].dtype) == "str"]
        assert text, dataset  # every dataset has text columns: the normalisation is tested
        without[text] = without[text].astype(here[text].dtypes.to_dict())
        assert list(without.columns) == list(here.columns), dataset
        without.columns = here.columns  # the column labels are text too
        pd.testing.assert_frame_equal(without, here, check_exact=True, obj=dataset)


@pytest.mark.parametrize(
    ("filters", "named"),
    [
        ({"year": float("inf")}, r"year=inf is not a finite number"),
        ({"year": float("nan")}, r"year=nan is not a finite number"),
        ({"country": object()}, r"country=<object.*\(object\) cannot select rows; expected text"),
        ({"country": None}, r"country=None \(missing\)"),
        ({"country": [["AZE"]]}, r"country=\['AZE'\] \(list\)"),
        ({"country": pd.NA}, r"\(missing\)"),
    ],
)
def test_odd_filter_values_are_invalid_input_naming_value_and_expectation(
    filters: dict, named: str
) -> None:
    with pytest.raises(InvalidInputError, match=named):
        load("wdi", **filters)


def test_huge_or_numpy_filter_values_work_or_say_no_rows() -> None:
    import numpy as np

    assert len(load("geostat_population", year=np.int64(2019))) == 1
    assert len(load("wdi", is_aggregate=np.bool_(True), year=2019)) > 10
    for value in (10**30, "1e400", -(10**30)):
        with pytest.raises(UnknownValueError, match="no rows with year="):
            load("geostat_population", year=value)


def test_dataset_id_of_another_type_is_an_unknown_dataset() -> None:
    with pytest.raises(UnknownDatasetError, match=r"\['wdi'\]"):
        load(["wdi"])
    with pytest.raises(UnknownDatasetError):
        describe({"wdi": 1})
