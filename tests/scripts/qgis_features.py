"""Loads OGC API – Features collections with QGIS's OAPIF provider, as an analyst adds them
(Layer → Add Layer → Add WFS / OGC API – Features Layer).

Run with Debian's own python3 (python3-qgis) and QT_QPA_PLATFORM=offscreen. Reads a JSON job on
stdin: {"url": "http://.../ogc", "collections": ["gemeente-2022", ...]} and prints JSON:
{"layers": [{"collection": .., "valid": true, "count": n, "fields": [..],
"crs": "EPSG:4326", "features": [{"code": .., "lbm": .., "lbm_class": .., "area": ..}]}]}.
"""

import json
import os
import sys

from qgis.core import QgsApplication, QgsVectorLayer


def main():
    job = json.load(sys.stdin)
    app = QgsApplication([], False)
    app.initQgis()
    out = []
    for collection in job["collections"]:
        uri = f"url='{job['url']}' typename='{collection}'"
        layer = QgsVectorLayer(uri, collection, "OAPIF")
        entry = {"collection": collection, "valid": layer.isValid()}
        if layer.isValid():
            entry["fields"] = [f.name() for f in layer.fields()]
            entry["crs"] = layer.crs().authid()
            features = []
            for f in layer.getFeatures():
                attrs = {name: f[name] for name in ("code", "name", "lbm", "lbm_class")}
                attrs = {k: (v if isinstance(v, (int, float, str)) else None) for k, v in attrs.items()}
                attrs["area"] = f.geometry().area() if f.hasGeometry() else 0.0
                features.append(attrs)
            entry["count"] = len(features)
            entry["features"] = features
        else:
            entry["error"] = layer.error().summary()
        out.append(entry)
        del layer
    print(json.dumps({"layers": out}))
    sys.stdout.flush()
    # QGIS 3.22's teardown of a provider's network threads can crash after the work is done:
    # leave without it, the answer is out.
    os._exit(0)


if __name__ == "__main__":
    main()
