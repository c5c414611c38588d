"""Renders a vector tile layer with its MapLibre style in QGIS, headless, as an analyst adds it.

Run with Debian's own python3 (python3-qgis) and QT_QPA_PLATFORM=offscreen. Reads a JSON job on
stdin:
  {"tiles": "http://.../{z}/{x}/{y}.pbf", "zmin": 5, "zmax": 13, "style": "http://.../x.json",
   "views": [{"name": "national", "bbox": [w, s, e, n], "size": [w, h],
              "points": [[lon, lat], ...], "png": "path"}]}
and prints JSON: {"qgis": version, "warnings": [...], "styles": n, "views": [{"name": ..,
"pixels": [[r, g, b] | null, ...]}]}, per point the most common colour around it (null at the
image's edge).
"""

import json
import sys

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def fill_at(image, x, y, r=3):
    """The most common colour in the (2r+1)² pixels around (x, y): the fill there, not an
    outline that happens to pass through the point; None near the image's edge."""
    if not (r <= x < image.width() - r and r <= y < image.height() - r):
        return None
    counts = {}
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            c = image.pixelColor(x + dx, y + dy)
            key = (c.red(), c.green(), c.blue())
            counts[key] = counts.get(key, 0) + 1
    return list(max(counts.items(), key=lambda kv: kv[1])[0])


def main():
    job = json.load(sys.stdin)
    app = QgsApplication([], False)
    app.initQgis()

    # The layer as "Add Vector Tile Layer" → "New Generic Connection" makes it: XYZ tiles with a
    # style URL.
    uri = QgsDataSourceUri()
    uri.setParam("type", "xyz")
    uri.setParam("url", job["tiles"])
    uri.setParam("zmin", str(job["zmin"]))
    uri.setParam("zmax", str(job["zmax"]))
    uri.setParam("styleUrl", job["style"])
    layer = QgsVectorTileLayer(bytes(uri.encodedUri()).decode(), "leefbaarometer")
    if not layer.isValid():
        raise SystemExit("QGIS: the vector tile layer is not valid")
    result = layer.loadDefaultStyle()
    # (error, warnings) come back in the tuple, its shape depending on the binding.
    warnings = []
    for part in result if isinstance(result, tuple) else [result]:
        if isinstance(part, list):
            warnings.extend(str(w) for w in part)
    styles = layer.renderer().styles() if layer.renderer() else []
    if not styles:
        raise SystemExit(f"QGIS: the style did not load: {result!r}")
    QgsProject.instance().addMapLayer(layer)

    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    merc = QgsCoordinateReferenceSystem("EPSG:3857")
    to_merc = QgsCoordinateTransform(wgs84, merc, QgsProject.instance())
    out = []
    for view in job["views"]:
        w, s, e, n = view["bbox"]
        extent = to_merc.transformBoundingBox(QgsRectangle(w, s, e, n))
        settings = QgsMapSettings()
        settings.setLayers([layer])
        settings.setDestinationCrs(merc)
        settings.setOutputSize(QSize(*view["size"]))
        settings.setExtent(extent)
        settings.setBackgroundColor(QColor(255, 255, 255))
        render = QgsMapRendererSequentialJob(settings)
        render.start()
        render.waitForFinished()
        image = render.renderedImage()
        if view.get("png"):
            image.save(view["png"], "PNG")
        m2p = settings.mapToPixel()
        pixels = []
        for lon, lat in view["points"]:
            p = m2p.transform(to_merc.transform(QgsPointXY(lon, lat)))
            x, y = int(p.x()), int(p.y())
            pixels.append(fill_at(image, x, y))
        out.append({"name": view["name"], "pixels": pixels})
    print(json.dumps({
        "qgis": Qgis.QGIS_VERSION,
        "warnings": warnings,
        "styles": len(styles),
        "views": out,
    }))
    QgsProject.instance().removeAllMapLayers()
    app.exitQgis()


if __name__ == "__main__":
    main()
