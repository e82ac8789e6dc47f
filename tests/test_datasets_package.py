"""The data package: frictionless validity, reproducible build and traceability to the raw files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
from pathlib import Path

import pandas as pd
import pytest

from migdata.datasets import describe, list_datasets, load
from migdata.datasets.build import build
from migdata.datasets.paths import datasets_dir

BIG = {"un_migrant_stock", "un_migrant_stock_aggregates"}

DATASET_IDS = list_datasets()["id"].tolist()


def _package() -> dict:
    return json.loads((datasets_dir() / "datapackage.json").read_text(encoding="utf-8"))


def test_package_validates_with_frictionless() -> None:
    from frictionless import Package, validate

    folder = datasets_dir()
    # Every row of the small resources...
    package = Package(str(folder / "datapackage.json"))
    checked = 0
    for resource in package.resources:
        if resource.name in BIG:
            continue
        report = resource.validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
        checked += 1
    assert checked == len(package.resources) - len(BIG)
    # ...and the schema, dialect and compression of the two big ones on their first rows
    # (their full validation takes ~6 s; hashes and types are checked below instead).
    report = validate(str(folder / "datapackage.json"), limit_rows=5000)
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:10]


def test_every_resource_matches_its_recorded_hash_bytes_and_rows() -> None:
    folder = datasets_dir()
    for res in _package()["resources"]:
        data = (folder / res["path"]).read_bytes()
        assert res["bytes"] == len(data), res["name"]
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), res["name"]
        if res["path"].endswith(".gz"):
            data = gzip.decompress(data)
        assert data.count(b"\n") - 1 == res["rows"], res["name"]


def test_every_field_has_a_type_a_description_and_figures_a_unit() -> None:
    for res in _package()["resources"]:
        assert res["schema"]["missingValues"] == [""]
        for field in res["schema"]["fields"]:
            assert field["type"] in {"string", "integer", "number", "boolean"}
            assert field["description"], (res["name"], field["name"])
            if field["name"] in {"stock", "persons", "population", "value", "net_migration",
                                 "net_migration_rate"}:
                assert field.get("unit"), (res["name"], field["name"])


def test_the_documented_caveats_are_present() -> None:
    """The caveats of the raw PROVENANCE.md files reach the package (one assertion each)."""
    text = {name: " ".join(describe(name)["caveats"]) for name in DATASET_IDS}
    assert "unconfirmed" in text["wdi"]  # WPP revision behind SM.POP.NETM
    assert "183 days" in text["geostat_migration"] and "border" in text["geostat_migration"]
    assert "Foreigners are not given as a single total" in text["geostat_migration"]
    assert "2025 is not comparable with 2024" in text["geostat_population"]
    for stock in ("un_migrant_stock", "un_migrant_stock_aggregates", "un_migrant_stock_totals"):
        assert "'B R'" in text[stock] and "refugees" in text[stock], stock
        assert "born in other Soviet republics" in text[stock], stock
    assert "Georgia in Rev.2020" in text["un_migrant_stock_totals"]
    assert "always filter on revision" in text["un_migrant_stock_totals"]
    assert "third-party CSV export" in text["un_migrant_stock"]
    assert "INCONSISTENT" in text["armstat_registered_migration"]
    assert "Secondary" in text["press_figures"] and "partial years" in text["press_figures"]
    assert "'in general'" in text["press_figures"] and "citizens" in text["press_figures"]
    assert "PARTIAL" in text["un_migrant_stock"] and "revision=2024" in text["un_migrant_stock"]
    assert "464,459" in text["un_migrant_stock"]  # Rev.2024 changed past values
    assert "rounded" in text["azstat_migration"] and "not comparable" in text["azstat_migration"]
    assert "2023 or 2024" in text["azstat_migration"]
    assert "recalculated on the 2019 census" in text["azstat_population"]
    assert "applications, not permits" in text["az_sms"]
    assert "trips, not migrants" in text["armstat_border_press"]
    assert "'– 43425'" in text["armstat_border_press"]
    assert "Channel Islands (830)" in text["un_migrant_stock"]
    for hand_copied in ("geostat_migration", "geostat_population",
                        "armstat_registered_migration", "press_figures"):
        assert "copied by hand" in text[hand_copied], hand_copied


def test_licences_are_stated_only_where_a_source_states_them() -> None:
    """UN DESA workbooks and the WPP 2024 repository state CC BY 3.0 IGO; nothing else does."""
    stated = {"un_migrant_stock", "un_migrant_stock_aggregates", "un_migrant_stock_totals",
              "wpp_net_migration", "ims_regions"}
    for name in DATASET_IDS:
        licences = describe(name)["licenses"]
        names = {lic["name"] for lic in licences}
        if name in stated:
            assert names == {"CC-BY-3.0-IGO"}, name
            assert all("as stated" in lic["title"] for lic in licences), name
        else:
            assert names == {"not-stated"}, name
            assert all("No licence is stated" in lic["title"] for lic in licences), name


def test_build_refuses_a_description_it_cannot_write(tmp_path: Path) -> None:
    """datapackage.json is the hand-edited source the build reads: a resource the build has no
    rows for, a missing one, or a gap written other than as an empty cell is refused up front."""
    from migdata.datasets.build import _description

    package = _package()
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps(package), encoding="utf-8")
    assert [r["name"] for r in _description(path)["resources"]] == DATASET_IDS
    cases = {
        "renamed": (lambda p: p["resources"][0].update(name="wdi_2"), r"wdi_2.*not the ones"),
        "dropped": (lambda p: p["resources"].pop(), r"not the ones the build writes"),
        "gaps": (lambda p: p["resources"][1]["schema"].update(missingValues=["", "NA"]),
                 r"'un_migrant_stock' must have schema.missingValues \[''\]"),
    }
    for change, match in cases.values():
        broken = json.loads(json.dumps(package))
        change(broken)
        path.write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(ValueError, match=match):
            _description(path)


# ------------------------------------------------------------------ against the raw folder


def test_rebuild_is_byte_identical_to_the_committed_files(raw_dir: Path, tmp_path: Path) -> None:
    counts = build(raw_dir, tmp_path, progress=False)
    folder = datasets_dir()
    assert set(counts) == set(DATASET_IDS)
    for res in _package()["resources"]:
        fresh = (tmp_path / res["path"]).read_bytes()
        assert fresh == (folder / res["path"]).read_bytes(), f"{res['path']} differs"
    committed = (folder / "datapackage.json").read_text(encoding="utf-8")
    assert (tmp_path / "datapackage.json").read_text(encoding="utf-8") == committed


def _lines(path: Path) -> list[list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def test_un_stock_rows_trace_to_the_third_party_csv_cells(raw_dir: Path) -> None:
    folder = raw_dir / ("un_desa_migrant_stock/source/DiTo97__international-migrant-stock-"
                        "1990-2020/dashboard/app/data/csv")
    rng = random.Random(2019)
    for name in sorted(BIG):
        frame = load(name)
        for sex in ("total", "male", "female"):
            grid = _lines(folder / f"migrants_by_origin_and_destination_{sex}.csv")
            rows = frame[frame["sex"] == sex]
            sample = rows.iloc[rng.sample(range(len(rows)), 300)]
            for row in sample.itertuples():
                cell = grid[row.source_row - 1][row.source_col - 1].strip()
                if pd.isna(row.stock):
                    assert cell in {"..", "-"}, (name, row)
                else:
                    assert round(float(cell)) == row.stock, (name, row, cell)


@pytest.mark.parametrize(
    ("dataset_id", "raw_file", "pairs"),
    [
        ("geostat_migration",
         "national_statistics/geostat/geostat_immigrants_emigrants_by_sex_citizenship.csv",
         {"persons": "value", "year": "year", "sex": "sex", "flow": "measure"}),
        ("geostat_population", "national_statistics/geostat/geostat_population_1_january.csv",
         {"population": "value", "year": "year"}),
        ("unhcr_population", "national_statistics/unhcr/unhcr_population_records.csv",
         {"persons": "value", "year": "year", "origin": "coo_iso", "asylum": "coa_iso"}),
        ("armstat_registered_migration",
         "national_statistics/armstat/armstat_registered_migration_by_country_2021_2023.csv",
         {"persons": "value", "year": "year", "partner": "partner_country"}),
        ("un_migrant_stock_totals", None, {"value": "value", "period": "period",
                                           "indicator_label": "indicator",
                                           "value_note": "raw_value"}),
    ],
)
def test_small_datasets_trace_row_by_row(
    raw_dir: Path, dataset_id: str, raw_file: str | None, pairs: dict[str, str]
) -> None:
    frame = load(dataset_id)
    tables: dict[str, list[dict[str, str]]] = {}
    for row in frame.to_dict("records"):
        path = raw_file or f"un_desa_migrant_stock/totals_{row['revision']}.csv"
        if path not in tables:
            with (raw_dir / path).open(newline="", encoding="utf-8-sig") as handle:
                tables[path] = list(csv.DictReader(handle))
        raw = tables[path][row["source_row"] - 2]
        for ours, theirs in pairs.items():
            mine = row[ours]
            mine = "" if mine is None or mine != mine else mine  # NaN / NA -> empty
            if isinstance(mine, float) and mine.is_integer() and "." not in raw[theirs]:
                mine = int(mine)
            assert str(mine) == raw[theirs], (dataset_id, row, raw)
        if dataset_id == "un_migrant_stock_totals":
            assert row["cell"] == f"'{raw['sheet']}'!{raw['cell']}", (row, raw)


ONE_ROW_PER_RAW_ROW = {
    "geostat_migration": "national_statistics/geostat/"
    "geostat_immigrants_emigrants_by_sex_citizenship.csv",
    "geostat_population": "national_statistics/geostat/geostat_population_1_january.csv",
    "unhcr_population": "national_statistics/unhcr/unhcr_population_records.csv",
    "armstat_registered_migration": "national_statistics/armstat/"
    "armstat_registered_migration_by_country_2021_2023.csv",
    "un_migrant_stock_totals": "un_desa_migrant_stock/totals_{revision}.csv",
}


@pytest.mark.parametrize("dataset_id", sorted(ONE_ROW_PER_RAW_ROW))
def test_every_raw_row_has_exactly_one_curated_row(raw_dir: Path, dataset_id: str) -> None:
    frame = load(dataset_id)
    pattern = ONE_ROW_PER_RAW_ROW[dataset_id]
    groups = frame.groupby("revision") if "revision" in frame else [(None, frame)]
    for revision, part in groups:
        raw = _lines(raw_dir / pattern.format(revision=revision))
        assert sorted(part["source_row"]) == list(range(2, len(raw) + 1)), (dataset_id, revision)


def test_split_and_merged_datasets_account_for_every_raw_row(raw_dir: Path) -> None:
    # The OD matrix is split in two resources, with nothing lost or repeated.
    stock_dir = raw_dir / "un_desa_migrant_stock"
    od_rows = gzip.decompress((stock_dir / "od_matrix_2019.csv.gz").read_bytes()).count(b"\n")
    assert len(load("un_migrant_stock")) + len(load("un_migrant_stock_aggregates")) == od_rows - 1
    # press_figures = the Armenian and the Azerbaijani press files, row for row.
    press = load("press_figures")
    for name, folder in (("armstat_secondary_press_figures.csv", "armstat"),
                         ("azstat_secondary_press_figures.csv", "azstat")):
        raw = _lines(raw_dir / "national_statistics" / folder / name)
        rows = press.loc[press["source_file"] == name, "source_row"]
        assert sorted(rows) == list(range(2, len(raw) + 1)), name
    # idps = UNHCR's IDP records of the three countries + every IDMC row.
    idps = load("idps")
    unhcr = load("unhcr_population", measure=["idps", "returned_idps"],
                 asylum=["ARM", "AZE", "GEO"])
    assert (idps["source"] == "UNHCR").sum() == len(unhcr)
    idmc = _lines(raw_dir / "national_statistics/unhcr/unhcr_idmc_idps.csv")
    assert sorted(idps.loc[idps["source"] == "IDMC", "source_row"]) == list(
        range(2, len(idmc) + 1))
    # WPP: every country or area (M49 < 900) x every year column of each variant's files;
    # the regional aggregates (M49 >= 900) are the documented omission.
    wpp = load("wpp_net_migration")
    folder = raw_dir / "national_statistics/un_wpp2024"
    for variant, number_file in (("estimates", "migration.txt"),
                                 ("medium projection", "migrationprojMed.txt")):
        lines = [line.split("\t") for line in (folder / number_file).read_text().splitlines()]
        years = [y for y in lines[0] if y.isdigit()]
        areas = [line for line in lines[1:] if int(line[0]) < 900]
        assert (wpp["variant"] == variant).sum() == len(areas) * len(years), variant


def test_wdi_rows_account_for_every_raw_row_and_classify_only_known_codes(raw_dir: Path) -> None:
    """One row per raw country line x year column; is_aggregate only from the classification."""
    wdi = load("wdi")
    folder = raw_dir / "worldbank_wdi"
    for indicator, name in (("SM.POP.NETM", "API_SM.POP.NETM_DS2_en_csv_v2_19300.csv"),
                            ("SP.POP.TOTL", "API_SP.POP.TOTL_DS2_en_csv_v2_19373.csv")):
        grid = _lines(folder / name)
        start = next(i for i, line in enumerate(grid) if line[:1] == ["Country Name"])
        header, body = grid[start], [line for line in grid[start + 1:] if len(line) >= 4]
        years = [y for y in header if y.isdigit()]
        assert (wdi["indicator"] == indicator).sum() == len(body) * len(years)
    meta = _lines(folder / "companion_metadata_2024-11-13/"
                  "Metadata_Country_API_SP.POP.TOTL_DS2_en_csv_v2_56.csv")
    region = {line[0]: line[1] for line in meta[1:]}
    unknown = wdi[wdi["is_aggregate"].isna()]
    assert set(unknown["country"]) == set(wdi["country"]) - set(region) == {"INX"}
    assert unknown["value"].isna().all()
    known = wdi.dropna(subset=["is_aggregate"]).drop_duplicates("country")
    for row in known.itertuples():
        assert bool(row.is_aggregate) == (region[row.country].strip() == ""), row.country


def test_wdi_and_wpp_trace_to_the_raw_line_and_year_column(raw_dir: Path) -> None:
    files = {
        "SM.POP.NETM": _lines(raw_dir / "worldbank_wdi/API_SM.POP.NETM_DS2_en_csv_v2_19300.csv"),
        "SP.POP.TOTL": _lines(raw_dir / "worldbank_wdi/API_SP.POP.TOTL_DS2_en_csv_v2_19373.csv"),
    }
    wdi = load("wdi", country=["ARM", "AZE", "GEO", "WLD", "RUS"])
    for row in wdi.itertuples():
        grid = files[row.indicator]
        header = next(line for line in grid if line[:1] == ["Country Name"])
        raw = grid[row.source_row - 1]
        assert raw[1] == row.country
        cell = raw[header.index(str(row.year))]
        assert (cell == "" and row.value != row.value) or float(cell) == row.value
    wpp_dir = raw_dir / "national_statistics/un_wpp2024"
    est = [line.split("\t") for line in (wpp_dir / "migration.txt").read_text().splitlines()]
    wpp = load("wpp_net_migration", country=["ARM", "AZE", "GEO"], variant="estimates")
    for row in wpp.itertuples():
        raw = est[row.net_migration_source_row - 1]
        assert raw[0] == str(row.country_m49)
        assert float(raw[est[0].index(str(row.year))]) == row.net_migration


# ------------------------------------------------------------------ issue 9: new raw folders

REV2024 = "un_desa_migrant_stock/rev2024_partial/undesa_ims2024_south_caucasus_od.csv"


def test_rev2024_rows_are_the_raw_rows_one_per_sex(raw_dir: Path) -> None:
    raw = _lines(raw_dir / REV2024)
    header = raw[0]
    stock = load("un_migrant_stock", revision=2024)
    assert set(stock["revision"]) == {2024}
    # Every raw line gives three rows (total, male, female) and no other row exists.
    assert len(stock) == 3 * (len(raw) - 1)
    for sex, column in (("total", "stock_total"), ("male", "stock_male"),
                        ("female", "stock_female")):
        part = stock[stock["sex"] == sex]
        assert sorted(part["source_row"]) == list(range(2, len(raw) + 1)), sex
        assert set(part["source_col"]) == {header.index(column) + 1}, sex
        for row in part.itertuples():
            line = dict(zip(header, raw[row.source_row - 1], strict=True))
            assert int(line[column]) == row.stock
            assert (line["year"], line["origin_iso3"], line["destination_iso3"]) == (
                str(row.year), row.origin, row.destination)
            assert (line["origin_m49"], line["destination_m49"]) == (
                str(row.origin_m49), str(row.destination_m49))


def test_rev2024_sits_beside_rev2019_and_is_never_returned_unasked() -> None:
    default = load("un_migrant_stock", origin="ARM", destination="RUS", sex="total")
    assert set(default["revision"]) == {2019}
    both = load("un_migrant_stock", origin="ARM", destination="RUS", sex="total",
                revision=[2019, 2024])
    assert set(both["revision"]) == {2019, 2024}
    by_rev = both.set_index(["year", "revision"])["stock"].unstack()  # noqa: PD010
    assert by_rev.loc[1990, 2019] == by_rev.loc[1990, 2024] == 535266  # as in PROVENANCE
    assert by_rev.loc[2024, 2024] == 340512 and pd.isna(by_rev.loc[2024, 2019])
    aze_arm = load("un_migrant_stock", origin="AZE", destination="ARM", sex="total", year=1990,
                   revision=[2019, 2024]).set_index("revision")["stock"]
    assert aze_arm.to_dict() == {2019: 464459, 2024: 164457}
    # Revision 2024 has no row for 2019, Revision 2019 none for 2020 or 2024.
    assert set(load("un_migrant_stock", revision=2024)["year"]) == {
        1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024}


def test_indicators_refuse_mixed_and_partial_revisions() -> None:
    from migdata.errors import InvalidInputError, MigdataError
    from migdata.indicators.stocks import emigrant_stock_by_destination, stock_change

    both = load("un_migrant_stock", origin="AZE", revision=[2019, 2024])
    with pytest.raises(InvalidInputError, match="mixes several revision"):
        stock_change(both, origin="AZE", destination="RUS")
    with pytest.raises(MigdataError, match="partial extract"):
        emigrant_stock_by_destination(load("un_migrant_stock", revision=2024), "AZE", year=2020)
    change = stock_change(both, origin="AZE", destination="RUS", revision=2024,
                          periods=[(2010, 2020)])
    assert change.attrs["revision"] == 2024
    assert change["stock_end"].iloc[0] == load(
        "un_migrant_stock", origin="AZE", destination="RUS", sex="total", year=2020,
        revision=2024)["stock"].iloc[0]


NATIONAL = {
    "azstat_migration": [
        "national_statistics/azstat/ssc_series/azstat_international_migration_1991_2022_agora.csv",
        "national_statistics/azstat/ssc_series/azstat_press_annual_figures.csv",
        "national_statistics/azstat/ssc_series/azstat_partial_year_press.csv",
    ],
    "azstat_population": [
        "national_statistics/azstat/ssc_series/azstat_population_1jan_press.csv"],
    "az_sms": ["national_statistics/az_sms/az_sms_figures.csv"],
    "armstat_border_press": [
        "national_statistics/armstat/border_press/armenia_border_and_population_press.csv"],
}


@pytest.mark.parametrize("dataset_id", sorted(NATIONAL))
def test_national_rows_trace_to_every_raw_row(raw_dir: Path, dataset_id: str) -> None:
    frame = load(dataset_id)
    assert set(frame["source_file"]) == {Path(rel).name for rel in NATIONAL[dataset_id]}
    for rel in NATIONAL[dataset_id]:
        raw: dict[int, dict[str, str]] = {}  # line where each record starts -> record
        with (raw_dir / rel).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            start = 2
            for record in reader:
                raw[start] = {k: " ".join(v.split("\n")) for k, v in record.items()}
                start = reader.line_num + 1
        part = frame[frame["source_file"] == Path(rel).name]
        # every raw row exactly once
        assert sorted(part["source_row"]) == sorted(raw), rel
        for row in part.to_dict("records"):
            line = raw[row["source_row"]]
            for ours, theirs in (("measure", "measure"), ("period", "period"),
                                 ("year_as_printed", "year"),
                                 ("value_as_printed", "value_as_printed"), ("unit", "unit"),
                                 ("source_type", "source_type"), ("notes", "notes")):
                mine = row[ours]
                mine = "" if mine is None or mine != mine else mine
                assert " ".join(mine.split()) == " ".join(line[theirs].split()), (rel, ours, row)
            if line["value"].strip():
                assert row["value"] == float(line["value"]), (rel, row)
            else:
                assert pd.isna(row["value"]), (rel, row)
            # the flags follow the raw file's words
            assert row["partial_year"] == ("PARTIAL YEAR" in line["notes"].upper()), row
            if "rounded" in (line["unit"] + line["notes"]).lower() or "agora" in rel:
                assert row["rounded"], row
            expected = {"primary": "primary", "secondary": "secondary"}.get(
                line["source_type"], "press" if "press" in line["source_type"] else "secondary")
            assert row["quality"] == expected, row


def test_national_flags_and_figures_spot_checks() -> None:
    ssc = load("azstat_migration",
               source_file="azstat_international_migration_1991_2022_agora.csv")
    assert len(ssc) == 96 and set(ssc["year"]) == set(range(1991, 2023))
    assert ssc["rounded"].all() and (ssc["quality"] == "secondary").all()
    assert not ssc["partial_year"].any()
    arrived = ssc[ssc["measure"] == "arrived_for_permanent_residence"].set_index("year")["value"]
    assert arrived[1991] == 66300 and arrived[2022] == 2900
    partial = load("azstat_migration", partial_year=True)
    assert len(partial) == 24 and (partial["quality"] == "press").all()
    shares = load("azstat_migration", measure=["share_of_arrivals", "share_of_departures"])
    assert set(shares["partner_iso3"]) == {"RUS", "KAZ", "UKR"}
    assert set(shares["year"]) == {2010, 2013}
    undated = load("azstat_migration", source_file="azstat_press_annual_figures.csv")
    assert undated["year"].isna().sum() == 5  # two undated 'last year' items
    sms = load("az_sms", measure="foreigners_living_in_country")
    assert sms.set_index("partner")["value"]["all"] == 118409
    assert (load("az_sms", year=2013)["quality"] == "primary").all()
    pop = load("azstat_population", year=2023)
    assert pop["value"].tolist() == [10127145]
    border = load("armstat_border_press", measure="border_crossings_balance_as_printed")
    assert border.set_index("year")["value"].to_dict() == {
        2019: 10506, 2018: 15318, 2017: -26909, 2016: -48170, 2015: 43425}


def test_every_transcribed_rev2024_line_is_a_curated_row(raw_dir: Path) -> None:
    """The hand-copied windows behind the Rev.2024 CSV: each line is a curated row."""
    stock = load("un_migrant_stock", revision=2024)
    cells = {(int(r.year), r.origin, r.destination, r.sex): r.stock for r in stock.itertuples()}
    folder = raw_dir / "un_desa_migrant_stock/rev2024_partial/transcribed"
    seen = 0
    for path in sorted(folder.glob("offset_*.csv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            year, orig, dest, _, _, _, _, total, male, female = next(csv.reader([line]))
            for sex, value in (("total", total), ("male", male), ("female", female)):
                assert cells[(int(year), orig, dest, sex)] == int(value), (path.name, line)
            seen += 1
    assert seen >= len(stock) // 3
