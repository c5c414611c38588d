// Helper (not a test): converts the national outline from RD New (EPSG:28992) to WGS84 GeoJSON
// for the web map, rounded to 5 decimals (~1 m; the source is ~1 km accurate).
//   node tests/outline-from-rd.mjs ../../shared/data/nl_outline_ne10m_rd.geojson > data/nl-outline.json
// RD → WGS84 with the approximation of Schreutelkamp and Strang van Hees (better than 1 m).

import fs from 'node:fs';

function rdToWgs84([x, y]) {
  const dx = (x - 155000) * 1e-5;
  const dy = (y - 463000) * 1e-5;
  const lat = 52.15517440 + (3235.65389 * dy - 32.58297 * dx ** 2 - 0.24750 * dy ** 2 - 0.84978 * dx ** 2 * dy
    - 0.06550 * dy ** 3 - 0.01709 * dx ** 2 * dy ** 2 - 0.00738 * dx + 0.00530 * dx ** 4 - 0.00039 * dx ** 2 * dy ** 3
    + 0.00033 * dx ** 4 * dy - 0.00012 * dx * dy) / 3600;
  const lon = 5.38720621 + (5260.52916 * dx + 105.94684 * dx * dy + 2.45656 * dx * dy ** 2 - 0.81885 * dx ** 3
    + 0.05594 * dx * dy ** 3 - 0.05607 * dx ** 3 * dy + 0.01199 * dy - 0.00256 * dx ** 3 * dy ** 2
    + 0.00128 * dx * dy ** 4 + 0.00022 * dy ** 2 - 0.00022 * dx ** 2 + 0.00026 * dx ** 5) / 3600;
  return [+lon.toFixed(5), +lat.toFixed(5)];
}

const map = (c) => (typeof c[0] === 'number' ? rdToWgs84(c) : c.map(map));
const src = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = {
  type: 'FeatureCollection',
  features: src.features.map((f) => ({
    type: 'Feature',
    properties: { name: f.properties.NAME ?? f.properties.name ?? '' },
    geometry: { type: f.geometry.type, coordinates: map(f.geometry.coordinates) },
  })),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
