"""The synthetic teaching population: seeded, labelled, valid and covering every profile."""

from __future__ import annotations

import pandas as pd
import pytest

from migdata.concepts import STAY_COLUMNS, flows, stocks, to_persons
from migdata.errors import InvalidInputError, UnknownCountryError
from migdata.simulate.population import (
    DEFAULT_SEED,
    PROFILES,
    synthetic_persons,
    synthetic_population,
)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return synthetic_population(2000)


def test_labelled_synthetic(frame: pd.DataFrame) -> None:
    assert frame["synthetic"].all()
    assert frame.attrs["synthetic"] is True
    assert "SYNTHETIC" in frame.attrs["note"]
    assert "synthetic" in (synthetic_population.__doc__ or "").lower()
    assert "teaching assumption" in (synthetic_population.__doc__ or "")
    assert list(frame.columns[: len(STAY_COLUMNS)]) == list(STAY_COLUMNS)


def test_fixed_default_seed_is_reproducible(frame: pd.DataFrame) -> None:
    assert DEFAULT_SEED == 2024
    pd.testing.assert_frame_equal(frame, synthetic_population(2000, seed=DEFAULT_SEED))
    other = synthetic_population(2000, seed=1)
    assert not frame[["country", "start"]].equals(other[["country", "start"]])


def test_every_profile_and_feature_appears(frame: pd.DataFrame) -> None:
    assert set(frame["profile"]) == set(PROFILES)
    assert sum(share for share, _ in PROFILES.values()) == pytest.approx(1.0)
    people = frame.drop_duplicates("person_id")
    assert len(people) == 2000
    assert (people["citizenships"] == "").any()  # stateless
    assert people["citizenships"].str.contains(";").any()  # dual citizens
    assert (people["birth_country"] != "AZE").any()  # foreign-born
    seasonal = frame[frame["purpose"] == "seasonal_work"]
    days = (seasonal["end"] - seasonal["start"]).dt.days
    assert (days < 183).any() and ((days >= 183) & (days < 365)).any()
    assert {"RUS", "TUR", "DEU", "UKR", "KAZ"} <= set(frame["country"])
    assert {"health", "asylum_transit", "study", "work"} <= set(frame["purpose"].dropna())
    assert frame["end"].isna().groupby(frame["person_id"]).sum().max() <= 1


def test_histories_are_valid_persons(frame: pd.DataFrame) -> None:
    persons = to_persons(frame)
    assert len(persons) == 2000
    assert all(p.stays[0].start == pd.Timestamp("2010-01-01").date() for p in persons)
    assert all(s.start <= pd.Timestamp("2024-12-31").date() for p in persons for s in p.stays)
    small = synthetic_persons(50)
    assert [p.id for p in small] == list(range(50))


def test_classifies_with_migration_in_both_directions(frame: pd.DataFrame) -> None:
    for rule in ("12_months", "6_months"):
        s = stocks(frame, "AZE", "2020-01-01", rule)
        assert s["usual_residents"] > 1000
        assert 0 < s["foreign_born"] < s["native_born"]
        assert s["returned_migrant"] > 0
        f = flows(frame, "AZE", 2018, rule)
        assert f["immigration"] > 0 and f["emigration"] > 0
    # the 6-month rule turns 6-12 month seasonal work into migration
    assert (
        flows(frame, "AZE", 2018, "6_months")["emigration"]
        > flows(frame, "AZE", 2018)["emigration"]
    )


def test_other_home_country() -> None:
    geo = synthetic_population(300, country="Georgia")
    assert (geo.drop_duplicates("person_id")["birth_country"] == "GEO").mean() > 0.5
    assert "ARM" in set(geo["country"])  # cross-border workers come from Armenia


@pytest.mark.parametrize(
    ("kwargs", "error", "named"),
    [
        ({"n": -1}, InvalidInputError, "-1"),
        ({"n": 2.5}, InvalidInputError, "2.5"),
        ({"country": "Utopia"}, UnknownCountryError, "Utopia"),
        ({"seed": "abc"}, InvalidInputError, "'abc'"),
        ({"start": "2020-01-01", "end": "2020-06-01"}, InvalidInputError, "too short"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception], named: str) -> None:
    with pytest.raises(error, match=named):
        synthetic_population(**kwargs)


def test_default_population_does_not_drift_between_versions() -> None:
    """Notebooks and exercises quote figures of the seeded population: pin it.

    If a deliberate change to the generator alters this fingerprint, update it together with
    every notebook and assignment that uses the synthetic population.
    """
    import hashlib

    frame = synthetic_population(500)
    stays = frame[[*STAY_COLUMNS, "profile"]].copy()
    for col in ("start", "end"):
        stays[col] = stays[col].dt.strftime("%Y-%m-%d")
    text = stays.to_csv(index=False, na_rep="")
    assert len(frame) == 3243
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "fcaf968a2a701a97ee734d9ac00599aa1169c470b68fc24184dcfc4f52e039fc"
    )


def test_the_population_is_the_same_without_pyarrow() -> None:
    """A student installs no pyarrow: the population is built without it, with the same values."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pyarrow':\n"
        "            raise ImportError('no pyarrow')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from migdata.simulate.population import synthetic_population\n"
        "f = synthetic_population(300, seed=5)\n"
        "print(f.astype(str).to_csv(index=False))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    from migdata.simulate.population import synthetic_population

    assert out.strip() == synthetic_population(300, seed=5).astype(str).to_csv(index=False).strip()
