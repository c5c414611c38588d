"""Per-zoom tile and layer sizes of MBTiles files, side by side (for tests/bench/areas.sh).

usage: python tile_stats.py LABEL=FILE.mbtiles [LABEL=FILE.mbtiles ...] [--layers a,b,c]
(default layers grid,gemeente,wijk,buurt; with two or more files, the ratios of the first two)

For each zoom: the stored (gzip) tile size, average and largest, and for each named layer the
number of tiles holding it and its average and largest encoded size (uncompressed protobuf
bytes of the layer). Uses the standard library only: the layer sizes come from the tile's
top-level protobuf fields, without decoding the features.
"""

import sqlite3
import sys
import zlib
from collections import defaultdict

LIMIT = 500_000  # the target: every stored tile under 500 KB (kB = 1000 bytes here)


def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def fields(buf):
    """(field number, wire type, payload or value) of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
            yield field, wire, v
        elif wire == 2:
            n, i = varint(buf, i)
            yield field, wire, buf[i : i + n]
            i += n
        elif wire == 5:
            yield field, wire, buf[i : i + 4]
            i += 4
        elif wire == 1:
            yield field, wire, buf[i : i + 8]
            i += 8
        else:
            raise ValueError(f"wire type {wire}")


def layer_sizes(tile):
    """{layer name: encoded bytes} of an MVT tile."""
    out = {}
    for field, wire, payload in fields(tile):
        if field == 3 and wire == 2:
            name = next(
                (bytes(v).decode() for f, w, v in fields(payload) if f == 1 and w == 2), "?"
            )
            out[name] = len(payload)
    return out


def stats(path):
    """{zoom: {"tile": [stored sizes], layer: [sizes]}}."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    per = defaultdict(lambda: defaultdict(list))
    for z, data in db.execute("SELECT zoom_level, tile_data FROM tiles"):
        per[z]["tile"].append(len(data))
        raw = zlib.decompress(data, 16 + zlib.MAX_WBITS) if data[:2] == b"\x1f\x8b" else data
        for name, n in layer_sizes(memoryview(raw)).items():
            per[z][name].append(n)
    return per


def kb(v):
    return f"{v / 1000:8.1f}"


def main():
    args = sys.argv[1:]
    layers = ["grid", "gemeente", "wijk", "buurt"]
    if "--layers" in args:
        i = args.index("--layers")
        layers = args[i + 1].split(",")
        del args[i : i + 2]
    runs = [(a.split("=", 1)[0], stats(a.split("=", 1)[1])) for a in args]
    zooms = sorted({z for _, per in runs for z in per})
    head = f"{'zoom':>4} {'what':<14}"
    for label, _ in runs:
        head += f" | {label + ' tiles':>14} {'avg KB':>8} {'max KB':>8}"
    if len(runs) >= 2:
        head += f" | {'avg 1st/2nd':>11} {'max 1st/2nd':>11}"
    print(head)
    print("-" * len(head))
    worst = {label: 0 for label, _ in runs}
    for z in zooms:
        for what in ["tile"] + layers:
            row = f"{z:>4} {what + (' (gzip)' if what == 'tile' else ' layer'):<14}"
            vals = []
            for label, per in runs:
                v = per.get(z, {}).get(what, [])
                if what == "tile" and v:
                    worst[label] = max(worst[label], max(v))
                avg = sum(v) / len(v) if v else 0
                mx = max(v) if v else 0
                vals.append((avg, mx))
                row += f" | {len(v):>14} {kb(avg)} {kb(mx)}"
            if not any(m for _, m in vals):
                continue
            if len(runs) >= 2 and vals[1][0]:
                row += f" | {vals[0][0] / vals[1][0]:>11.2f} {vals[0][1] / max(1, vals[1][1]):>11.2f}"
            print(row)
    for label, w in worst.items():
        verdict = "under" if w < LIMIT else "OVER"
        print(f"{label}: largest stored tile {w / 1000:.1f} KB, {verdict} the 500 KB target")


if __name__ == "__main__":
    main()
