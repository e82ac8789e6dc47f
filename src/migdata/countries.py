"""Country names and codes, normalised to ISO 3166-1 alpha-3 with :mod:`pycountry`."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from .errors import UnknownCountryError

__all__ = ["country_name", "to_iso3"]

# Names the statistical sources use that pycountry spells differently.
_ALIASES = {
    "russia": "RUS",
    "turkey": "TUR",
    "türkiye": "TUR",
    "turkiye": "TUR",
    "moldova": "MDA",
    "iran": "IRN",
    "south korea": "KOR",
    "korea": "KOR",
    "north korea": "PRK",
    "syria": "SYR",
    "vietnam": "VNM",
    "laos": "LAO",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "tanzania": "TZA",
    "czech republic": "CZE",
    "united states of america": "USA",
    "usa": "USA",
    "uk": "GBR",
    "kyrgyzstan": "KGZ",
}
# The names learners in the South Caucasus may type: the region's countries and main partners in
# Azerbaijani, Russian, Armenian and Georgian (endonyms and common Russian names).
_ALIASES.update({
    "azərbaycan": "AZE", "azerbaycan": "AZE", "азербайджан": "AZE", "ադրբեջան": "AZE",
    "აზერბაიჯანი": "AZE",
    "ermənistan": "ARM", "армения": "ARM", "հայաստան": "ARM", "hayastan": "ARM", "სომხეთი": "ARM",
    "gürcüstan": "GEO", "грузия": "GEO", "საქართველო": "GEO", "sakartvelo": "GEO",
    "վրաստան": "GEO",
    "rusiya": "RUS", "россия": "RUS", "ռուսաստան": "RUS", "რუსეთი": "RUS",
    "türkiyə": "TUR", "турция": "TUR",
    "ukrayna": "UKR", "украина": "UKR",
    "qazaxıstan": "KAZ", "казахстан": "KAZ",
    "iran": "IRN", "иран": "IRN",
    "almaniya": "DEU", "германия": "DEU",
    "rusiya federasiyası": "RUS", "российская федерация": "RUS",
})


def to_iso3(country: str) -> str:
    """Return the ISO 3166-1 alpha-3 code of a country.

    Parameters
    ----------
    country : str
        An alpha-3 code (``"AZE"``), an alpha-2 code (``"AZ"``), a numeric code (``"031"``)
        or an English name (``"Azerbaijan"``, ``"Russian Federation"``, ``"Russia"``).

    Returns
    -------
    str
        The alpha-3 code, upper case.

    Raises
    ------
    UnknownCountryError
        If the value is not a country pycountry knows.

    Examples
    --------
    >>> to_iso3("Georgia"), to_iso3("am"), to_iso3("AZE")
    ('GEO', 'ARM', 'AZE')
    """
    if not isinstance(country, str) or not country.strip():
        # checked before the cache: a list or a set is unhashable and must not reach it
        kind = "" if isinstance(country, str) else f" ({type(country).__name__})"
        raise UnknownCountryError(
            f"country must be one non-empty string (ISO alpha-3, alpha-2 or a name), got "
            f"{country!r}{kind}"
        )
    return _to_iso3(country)


@lru_cache(maxsize=4096)
def _to_iso3(country: str) -> str:
    """:func:`to_iso3` for a non-empty string, cached."""
    text = country.strip()
    alias = _ALIASES.get(text.casefold())
    if alias:
        return alias
    record = None
    if text.isdigit():
        record = pycountry.countries.get(numeric=text.zfill(3))
    elif len(text) == 2:
        record = pycountry.countries.get(alpha_2=text.upper())
    elif len(text) == 3:
        record = pycountry.countries.get(alpha_3=text.upper())
    if record is None:
        try:
            record = pycountry.countries.lookup(text)
        except LookupError:
            record = None
    if record is None:
        raise UnknownCountryError(
            f"unknown country {country!r}: expected an ISO 3166-1 alpha-3 or alpha-2 code "
            "or an English country name, e.g. 'AZE', 'AZ' or 'Azerbaijan'"
        )
    return str(record.alpha_3)


def country_name(iso3: str) -> str:
    """Return the common English name of a country given any form :func:`to_iso3` accepts.

    Examples
    --------
    >>> country_name("RUS")
    'Russian Federation'
    """
    record = pycountry.countries.get(alpha_3=to_iso3(iso3))
    return str(getattr(record, "common_name", None) or record.name)
