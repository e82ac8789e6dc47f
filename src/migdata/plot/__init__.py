"""Charts in one consistent look, static (matplotlib) or interactive (plotly).

Every function takes ``backend="matplotlib"`` or ``"plotly"`` and returns that library's
figure (the chord diagram is drawn with matplotlib only).
Every chart has a title, axis labels with units and a caption naming the source
(:mod:`~migdata.plot.style` holds the palette, fonts and caption format). matplotlib and plotly
are imported only when a chart is drawn.

* :func:`rates_timeseries` -- rates of ARM, AZE and GEO over time.
* :func:`top_destinations` -- bars of the emigrant stock by destination.
* :func:`emigrant_sankey` -- Sankey of emigrant stocks (plotly; bars as static fallback).
* :func:`source_comparison` -- one quantity from several sources.
* :func:`balancing_decomposition` -- natural increase and net migration per year.
* :func:`mig_chord` (alias :func:`chord_diagram`) -- chord diagram of a flow table (migest's
  ``mig_chord``); :func:`chord_layout` gives its geometry as numbers.
"""

from __future__ import annotations

from .balance import balancing_decomposition
from .chord import ChordLayout, chord_diagram, chord_layout, mig_chord
from .comparison import source_comparison
from .destinations import emigrant_sankey, top_destinations
from .style import BACKENDS, COUNTRY_COLORS, SOURCE_COLORS, caption_text
from .timeseries import rates_timeseries

__all__ = [
    "BACKENDS",
    "COUNTRY_COLORS",
    "SOURCE_COLORS",
    "ChordLayout",
    "balancing_decomposition",
    "caption_text",
    "chord_diagram",
    "chord_layout",
    "emigrant_sankey",
    "mig_chord",
    "rates_timeseries",
    "source_comparison",
    "top_destinations",
]
