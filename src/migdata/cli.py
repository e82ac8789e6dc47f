"""The ``migdata`` command line: list, show and export datasets, read concepts, refresh sources.

Examples
--------
::

    migdata datasets list
    migdata datasets show wdi
    migdata datasets export un_migrant_stock --filter origin=ARM --format csv --output arm.csv
    migdata concepts
    migdata concepts rule_12_months
    migdata refresh wdi --country GEO --indicator SM.POP.NETM --start 2010 --end 2023

Errors are printed as one line on standard error and the exit status is non-zero (1 for a bad
value or a failed source, 2 for a usage error).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from .errors import InvalidInputError, MigdataError, SourceError, UnknownValueError

__all__ = ["build_parser", "main"]

PROG = "migdata"
FORMATS = ("csv", "parquet")


# --- datasets ----------------------------------------------------------------------------------
def _parse_filters(items: Sequence[str] | None) -> dict[str, Any]:
    filters: dict[str, list[str]] = {}
    for item in items or ():
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise InvalidInputError(f"--filter expects COLUMN=VALUE, got {item!r}")
        filters.setdefault(column.strip(), []).append(value.strip())
    return {k: (v[0] if len(v) == 1 else v) for k, v in filters.items()}


def _datasets_list(args: argparse.Namespace, out: TextIO) -> int:
    from . import datasets

    table = datasets.list_datasets()
    width = max(len(str(i)) for i in table["id"])
    for row in table.itertuples(index=False):
        print(f"{row.id:<{width}}  {row.title}", file=out)
        details = f"source: {row.source}; vintage: {row.vintage}; licence: {row.licence}; "
        details += f"rows: {row.rows:,}"
        print(textwrap.fill(details, width=100, initial_indent=" " * (width + 2),
                            subsequent_indent=" " * (width + 4)), file=out)
    return 0


def _wrap(text: str, indent: str = "  ", hanging: str | None = None) -> str:
    return textwrap.fill(
        str(text), width=96, initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
    )


def _datasets_show(args: argparse.Namespace, out: TextIO) -> int:
    from . import datasets

    meta = datasets.describe(args.id)
    lines = [f"{args.id}: {meta.get('title', '')}", ""]
    if meta.get("description"):
        lines += [_wrap(meta["description"], ""), ""]
    for key, label in (("vintage", "Vintage"), ("rows", "Rows")):
        if meta.get(key) is not None:
            lines.append(f"{label}: {meta[key]}")
    for lic in meta.get("licenses", []):
        lines.append(f"Licence: {lic.get('name', '')} ({lic.get('title', '')})")
    if meta.get("sources"):
        lines += ["", "Sources:"]
        for src in meta["sources"]:
            lines.append(_wrap(f"- {src.get('title', '')}", "  ", "    "))
            if src.get("path"):
                lines.append(f"    {src['path']}")
    if meta.get("caveats"):
        lines += ["", "Caveats:"]
        lines += [_wrap(f"- {c}", "  ", "    ") for c in meta["caveats"]]
    if meta.get("row_mapping"):
        lines += ["", "Tracing a row to its raw file:", _wrap(meta["row_mapping"], "  ", "  ")]
    fields = meta.get("schema", {}).get("fields", [])
    if fields:
        lines += ["", "Columns:"]
        for f in fields:
            unit = f" [{f['unit']}]" if f.get("unit") else ""
            text = f"{f.get('description', '')}{unit}"
            lines.append(f"  {f['name']:<30} {f.get('type', ''):<8} {text}")
    print("\n".join(lines), file=out)
    return 0


def _write_frame(frame: Any, fmt: str, output: str | None, out: TextIO) -> None:
    if fmt not in FORMATS:
        raise InvalidInputError(f"--format must be one of {list(FORMATS)}, got {fmt!r}")
    if output is None:
        if fmt == "parquet":
            raise InvalidInputError("parquet is a binary format: give --output FILE")
        frame.to_csv(out, index=False)
        return
    path = Path(output)
    if not path.parent.exists():
        raise InvalidInputError(f"folder of --output does not exist: {path.parent}")
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        try:
            import pyarrow  # noqa: F401  (Parquet is written with pyarrow, from the `data` extra)
        except ImportError as exc:
            raise InvalidInputError(
                "--format parquet needs pyarrow, which is not installed: "
                "pip install 'migdata[data]' (or use --format csv)"
            ) from exc
        frame.to_parquet(path, index=False)
    print(f"wrote {len(frame)} rows to {path}", file=sys.stderr)


def _datasets_export(args: argparse.Namespace, out: TextIO) -> int:
    from . import datasets

    frame = datasets.load(args.id, **_parse_filters(args.filter))
    _write_frame(frame, args.format, args.output, out)
    return 0


# --- concepts ----------------------------------------------------------------------------------
def _concepts(args: argparse.Namespace, out: TextIO) -> int:
    from .concepts import CONCEPTS

    if args.id is None:
        width = max(len(k) for k in CONCEPTS)
        for cid, concept in CONCEPTS.items():
            print(f"{cid:<{width}}  {concept.kind:<22} {concept.name}", file=out)
        return 0
    if args.id not in CONCEPTS:
        raise UnknownValueError(
            f"unknown concept {args.id!r}; known concepts: {', '.join(CONCEPTS)}"
        )
    c = CONCEPTS[args.id]
    text = [
        f"{c.name} ({c.id}, {c.kind})",
        "",
        _wrap(c.summary, ""),
        "",
        _wrap(f"Source: {c.source}", ""),
    ]
    print("\n".join(text), file=out)
    return 0


# --- refresh -----------------------------------------------------------------------------------
def _refresh(args: argparse.Namespace, out: TextIO) -> int:
    try:
        sources = importlib.import_module("migdata.sources")
    except ImportError as exc:
        raise SourceError(f"live refresh is not available: {exc}") from None
    refresh = getattr(sources, "refresh", None)
    if refresh is None:
        raise SourceError("live refresh is not available in this installation of migdata")
    known = getattr(sources, "SOURCES", {})
    if known and args.source not in known:
        raise UnknownValueError(
            f"unknown source {args.source!r}; sources: {', '.join(known)}"
        )
    kwargs: dict[str, Any] = {
        "indicators": args.indicator or None,
        "start": args.start,
        "end": args.end,
        "progress": not args.no_progress,
        "cache": not args.no_cache,
        "fallback": not args.no_fallback,
    }
    if args.country:
        kwargs["countries"] = tuple(args.country)
    if args.start is not None and args.end is not None and args.end < args.start:
        raise InvalidInputError(f"--end ({args.end}) is before --start ({args.start})")
    frame = refresh(args.source, **kwargs)
    _write_frame(frame, args.format, args.output, out)
    return 0


# --- parser ------------------------------------------------------------------------------------
class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other migdata error."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see 'PROG --help')`` on standard error; exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``migdata`` command (every level has ``--help``)."""
    from . import __version__

    parser = _Parser(
        prog=PROG,
        description="migdata: migration datasets, UN concepts and live source refresh for "
        "Module 2 'Migration Data and Data Management'.",
        epilog="Run 'migdata COMMAND --help' for the options of a command.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"migdata {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ds = commands.add_parser(
        "datasets", help="list, describe and export the curated datasets",
        description="The curated, sourced datasets bundled with migdata (offline).",
    )
    ds_cmd = ds.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = ds_cmd.add_parser("list", help="one line per dataset: id, title, source, vintage...",
                          description="List every dataset with its source, vintage and licence.")
    p.set_defaults(handler=_datasets_list)
    p = ds_cmd.add_parser("show", help="a dataset's metadata: sources, caveats, columns, units",
                          description="Show a dataset's metadata.")
    p.add_argument("id", help="dataset id, see 'migdata datasets list'")
    p.set_defaults(handler=_datasets_show)
    p = ds_cmd.add_parser(
        "export", help="write a dataset (optionally filtered) as CSV or Parquet",
        description="Write a dataset to a file, or CSV to standard output.",
        epilog="Example: migdata datasets export wdi --filter country=GEO "
        "--filter indicator=SM.POP.NETM --output geo.csv",
        formatter_class=_Formatter,
    )
    p.add_argument("id", help="dataset id, see 'migdata datasets list'")
    p.add_argument("--format", choices=FORMATS, default="csv", help="file format (default csv)")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="file to write (default: CSV on standard output)")
    p.add_argument("--filter", action="append", metavar="COLUMN=VALUE",
                   help="keep rows whose COLUMN equals VALUE; repeat for more columns or values")
    p.set_defaults(handler=_datasets_export)

    p = commands.add_parser(
        "concepts", help="the UN migration concepts, or one of them in full",
        description="List the UN concepts of international migration, or show one.",
    )
    p.add_argument("id", nargs="?", help="concept id (omit to list all)")
    p.set_defaults(handler=_concepts)

    p = commands.add_parser(
        "refresh", help="download fresh figures from a publisher's API",
        description="Fetch a source live (World Bank, UNHCR, UN Data Portal) into the tidy "
        "columns of the bundled data. Falls back to the bundled snapshot with a warning when "
        "offline, unless --no-fallback.",
        epilog="Example: migdata refresh wdi --country GEO --country ARM "
        "--indicator SM.POP.NETM --start 2000 --end 2023 --output wdi.csv",
        formatter_class=_Formatter,
    )
    p.add_argument("source", help="source id (e.g. wdi, unhcr)")
    p.add_argument("--country", action="append", metavar="ISO3",
                   help="country code or name; repeat for several (default ARM, AZE, GEO)")
    p.add_argument("--indicator", action="append", metavar="CODE",
                   help="indicator code, e.g. SM.POP.NETM; repeat for several")
    p.add_argument("--start", type=int, metavar="YEAR", help="first year")
    p.add_argument("--end", type=int, metavar="YEAR", help="last year")
    p.add_argument("--format", choices=FORMATS, default="csv", help="file format (default csv)")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="file to write (default: CSV on standard output)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--no-cache", action="store_true", help="bypass the on-disk cache")
    p.add_argument("--no-fallback", action="store_true",
                   help="fail instead of falling back to the bundled snapshot")
    p.set_defaults(handler=_refresh)
    return parser


def _report_warnings(caught: Sequence[warnings.WarningMessage]) -> None:
    seen: set[str] = set()
    for item in caught:
        message = " ".join(str(item.message).split())
        if message not in seen:
            seen.add(message)
            print(f"{PROG}: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 on success).

    Known errors (:class:`~migdata.errors.MigdataError`, ``ValueError``, ``LookupError``,
    ``OSError``) are printed as one line, ``migdata: error: ...``, on standard error, with no
    traceback; warnings (e.g. a refresh falling back to the bundled snapshot) as one line
    ``migdata: warning: ...`` each.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 for a bad value or a failed source, 2 for a usage error, 130 when
        interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code = int(args.handler(args, sys.stdout))
        _report_warnings(caught)
        return code
    except BrokenPipeError:  # e.g. 'migdata datasets list | head': stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (MigdataError, ValueError, LookupError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
