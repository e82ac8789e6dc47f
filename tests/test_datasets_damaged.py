"""A damaged datapackage.json (MIGDATA_DATASETS_DIR pointing at a copy) is refused when it is
read, with a migdata error naming the resource, the key, the value and what was expected
(issue 24, the outside fuzzer's findings): no integrity check silently turned off, no file
outside the package opened, no column silently read as text or as gaps, no Python exception."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from migdata.datasets import clear_cache, describe, list_datasets, load
from migdata.datasets.paths import ENV_VAR, datasets_dir
from migdata.errors import DataFileError

BUNDLED = datasets_dir()
DATASET = "geostat_population"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    package = json.loads((BUNDLED / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        if not res["path"].endswith(".gz"):  # the small files (the big ones are not read here)
            shutil.copy(BUNDLED / res["path"], tmp_path / res["path"])
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    clear_cache()
    yield tmp_path
    monkeypatch.delenv(ENV_VAR)
    clear_cache()


def _write(folder: Path, change: Callable[[dict[str, Any]], None], dataset: str = DATASET) -> None:
    package = json.loads((BUNDLED / "datapackage.json").read_text(encoding="utf-8"))
    change(next(r for r in package["resources"] if r["name"] == dataset))
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")


def _field(column: str, /, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(res: dict[str, Any]) -> None:
        field = next(f for f in res["schema"]["fields"] if f["name"] == column)
        field.update(changes)
        for key, value in changes.items():
            if value is _DROP:
                del field[key]
    return change


_DROP = object()


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(res: dict[str, Any]) -> None:
        if value is _DROP:
            del res[key]
        else:
            res[key] = value
    return change


DAMAGE = [
    # integrity records: never silently switched off
    ("no hash", _set("hash", _DROP), r"hash = '<absent>'; expected 'sha256:"),
    ("no rows", _set("rows", _DROP), r"rows = '<absent>'; expected a whole number"),
    ("no bytes", _set("bytes", _DROP), r"bytes = '<absent>'; expected a whole number"),
    ("bytes null", _set("bytes", None), r"bytes = None; expected a whole number"),
    ("rows true", _set("rows", True), r"rows = True; expected a whole number"),
    ("rows text", _set("rows", "23"), r"rows = '23'; expected a whole number"),
    ("hash short", _set("hash", "sha256:abc"), r"hash = 'sha256:abc'"),
    ("hash number", _set("hash", 5), r"hash = 5"),
    # paths: relative, inside the folder
    ("absolute path", _set("path", "/etc/hostname"), r"path = '/etc/hostname'.*absolute"),
    ("climbing path", _set("path", "../../../../etc/hostname"), r"path = .*'\.\.'"),
    ("path number", _set("path", 5), r"path = 5; expected a relative path"),
    ("path list", _set("path", ["a.csv"]), r"path = \['a.csv'\]"),
    ("name number", _set("name", 5), r"resource number \d+ has name = 5"),
    # the schema against what the loader reads
    ("missing values", lambda r: r["schema"].update(missingValues=["", "GEO"]),
     r"missingValues = \['', 'GEO'\]; expected \[''\]"),
    ("figure as text", _field("population", type="string"),
     r"type \(population\) = 'string'; expected 'integer' or 'number'"),
    ("type date", _field("year", type="date"), r"type \(year\) = 'date'"),
    ("type wibble", _field("source_cell", type="wibble"), r"type \(source_cell\) = 'wibble'"),
    ("type 7", _field("source_cell", type=7), r"type \(source_cell\) = 7"),
    ("no schema", _set("schema", _DROP), r"schema = '<absent>'"),
    ("no fields", lambda r: r["schema"].pop("fields"), r"schema.fields = '<absent>'"),
    ("field without name", _field("source_cell", name=_DROP), r"fields\[4\].name = '<absent>'"),
    ("default_filters list", _set("default_filters", [1]), r"default_filters = \[1\]"),
    ("default_filters column", _set("default_filters", {"nope": 1}), r"'nope' is not one"),
    ("title absent", _set("title", _DROP), r"title = '<absent>'"),
    ("publisher number", lambda r: r["sources"][0].update(publisher=5),
     r"sources = .*whose publisher is text"),
]


@pytest.mark.parametrize(("kind", "change", "says"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_a_damaged_descriptor_is_refused_naming_resource_key_and_value(
    folder: Path, kind: str, change: Callable[[dict[str, Any]], None], says: str
) -> None:
    _write(folder, change)
    for call in (lambda: load(DATASET), list_datasets, lambda: describe("wdi")):
        with pytest.raises(DataFileError, match=says) as info:
            call()
        message = str(info.value)
        assert "datapackage.json is damaged" in message
        if kind != "name number":
            assert repr(DATASET) in message
        assert "Error:" not in message  # no Python exception names


def test_the_intact_copy_loads(folder: Path) -> None:
    _write(folder, lambda res: None)
    assert len(load(DATASET)) == 23
    assert DATASET in set(list_datasets()["id"])


def test_damaged_json_is_named_in_plain_words(folder: Path) -> None:
    (folder / "datapackage.json").write_text('{"name": "x"}', encoding="utf-8")
    with pytest.raises(DataFileError, match="it has no 'resources'") as info:
        load("wdi")
    assert "KeyError" not in str(info.value)
    (folder / "datapackage.json").write_text('{"resources": [{"name": "wdi"}]}',
                                             encoding="utf-8")
    clear_cache()
    with pytest.raises(DataFileError, match=r"resource 'wdi' has path = '<absent>'") as info:
        load("wdi")
    assert "TypeError" not in str(info.value)
    (folder / "datapackage.json").write_text('[1, 2]', encoding="utf-8")
    clear_cache()
    with pytest.raises(DataFileError, match="not an object"):
        load("wdi")


def test_a_link_out_of_the_folder_is_refused(folder: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.csv"
    outside.write_text("x\n1\n", encoding="utf-8")
    (folder / "link.csv").symlink_to(outside)
    _write(folder, _set("path", "link.csv"))
    with pytest.raises(DataFileError, match=r"path = 'link.csv'.*outside the package folder"):
        load(DATASET)


def test_the_descriptor_is_validated_once_per_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migdata.datasets import catalog

    _write(folder, lambda res: None)
    calls = []
    real = catalog.validate_package
    monkeypatch.setattr(catalog, "validate_package", lambda *a: calls.append(1) or real(*a))
    for _ in range(3):
        load(DATASET)
        list_datasets()
    assert len(calls) == 1


def test_a_folder_without_datapackage_is_a_migdata_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migdata.errors import MigdataError

    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    clear_cache()
    try:
        with pytest.raises(MigdataError, match=ENV_VAR) as info:
            load("wdi")
        assert isinstance(info.value, FileNotFoundError)  # older handlers still catch it
    finally:
        monkeypatch.delenv(ENV_VAR)
        clear_cache()
