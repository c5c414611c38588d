"""Reads a PMTiles archive with the Python `pmtiles` package (an independent reader) and decodes
tiles with `mapbox-vector-tile`; prints what it found as JSON on stdout.

Usage: pmtiles_read.py ARCHIVE [Z/X/Y ...]

Output: {"header": {...}, "metadata": {...}, "all": {"z/x/y": [length, crc32], ...},
         "tiles": {"z/x/y": null | {"stored_hex": "...", "layers": {name: [{"id", "properties"}]}}}}
Used by tests/tests/pmtiles_readers.rs; the versions are pinned by tests/requirements.txt.
"""

import gzip
import json
import sys
import zlib

import mapbox_vector_tile
from pmtiles.reader import MmapSource, Reader, all_tiles


def plain(value):
    """Enums (compression, tile type) as their numbers."""
    return getattr(value, "value", value)


def features(layer):
    # mapbox-vector-tile 2 returns GeoJSON-like layers; keep id and properties.
    return [{"id": f.get("id"), "properties": f.get("properties", {})} for f in layer["features"]]


def main():
    path, wanted = sys.argv[1], sys.argv[2:]
    with open(path, "rb") as f:
        get_bytes = MmapSource(f)
        reader = Reader(get_bytes)
        out = {
            "header": {k: plain(v) for k, v in reader.header().items()},
            "metadata": reader.metadata(),
            # Every tile by traversing the directories (root and leaves): length and CRC-32 of
            # the stored bytes.
            "all": {
                f"{z}/{x}/{y}": [len(data), zlib.crc32(data)]
                for (z, x, y), data in all_tiles(get_bytes)
            },
            "tiles": {},
        }
        for zxy in wanted:
            z, x, y = (int(v) for v in zxy.split("/"))
            data = reader.get(z, x, y)
            if data is None:
                out["tiles"][zxy] = None
                continue
            data = bytes(data)
            layers = mapbox_vector_tile.decode(
                gzip.decompress(data), default_options={"y_coord_down": True}
            )
            out["tiles"][zxy] = {
                "stored_hex": data.hex(),
                "layers": {name: features(layer) for name, layer in layers.items()},
            }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
