// A picture of the current map view for a memo: the map as drawn, with a title, the legend as the
// page shows it, a scale bar and the attribution, as one PNG.

const FONT = 'system-ui, "Segoe UI", Roboto, "Open Sans", Arial, sans-serif';

/** The map's pixels as drawn, copied in the frame MapLibre has just rendered (its drawing
 * buffer is not kept between frames). */
function mapPixels(map) {
  return new Promise((resolve) => {
    map.once('render', () => {
      const src = map.getCanvas();
      const copy = document.createElement('canvas');
      copy.width = src.width;
      copy.height = src.height;
      copy.getContext('2d').drawImage(src, 0, 0);
      resolve(copy);
    });
    map.triggerRepaint();
  });
}

/**
 * The sources of the map's attribution text (its tilesets' credits joined by `|` or `;`), each
 * once: the basemap and the score tilesets credit the same geography in the same words.
 */
export const creditsOf = (text) => [...new Set(text.split(/\s*[|;]\s*/).filter(Boolean))].join('; ');

/** A scale bar of 1, 2 or 5 × 10ⁿ metres at most `maxPx` CSS pixels long at the view's centre. */
export function scaleBar(map, maxPx = 120) {
  const { lat } = map.getCenter();
  // Web Mercator at 512 px tiles (MapLibre's zoom): metres per CSS pixel at this latitude.
  const mPerPx = (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
  const max = mPerPx * maxPx;
  const pow = 10 ** Math.floor(Math.log10(max));
  const metres = [5, 2, 1].map((f) => f * pow).find((m) => m <= max) ?? pow;
  return { px: metres / mPerPx, label: metres >= 1000 ? `${metres / 1000} km` : `${metres} m` };
}

/** Lines of `text` no wider than `width` in the context's font. */
function wrap(ctx, text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The PNG of the view: `title` and `subtitle` above the map, the `legend` entries
 * (`[{color, label}]`, with `legendTitle` and an optional `note`) beside it, a scale bar and the
 * `attribution` under it. Resolves to a Blob.
 */
export async function mapSnapshot(map, { title, subtitle, legendTitle, legend, note, attribution }) {
  const pixels = await mapPixels(map);
  const ratio = pixels.width / map.getCanvas().clientWidth || 1;
  const pad = 16 * ratio;
  const legendW = 230 * ratio;
  const headH = 64 * ratio;
  const px = (n) => n * ratio;
  // The attribution in full, wrapped to the map's width (a memo must name every source).
  const scratch = document.createElement('canvas').getContext('2d');
  scratch.font = `${px(11)}px ${FONT}`;
  const credits = wrap(scratch, attribution, pixels.width);
  // Under the map: the scale bar (on the map it covered place names), then the credits.
  const barH = px(28);
  const footH = barH + px(10 + 14 * credits.length);
  const out = document.createElement('canvas');
  out.width = pixels.width + legendW + 3 * pad;
  out.height = headH + pixels.height + footH + pad;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#1a1a1a';
  ctx.textBaseline = 'alphabetic';
  ctx.font = `600 ${px(22)}px ${FONT}`;
  ctx.fillText(title, pad, px(30));
  ctx.font = `${px(14)}px ${FONT}`;
  ctx.fillStyle = '#444444';
  ctx.fillText(subtitle, pad, px(52));
  const mapX = pad;
  const mapY = headH;
  ctx.drawImage(pixels, mapX, mapY);
  ctx.strokeStyle = '#999999';
  ctx.lineWidth = px(1);
  ctx.strokeRect(mapX, mapY, pixels.width, pixels.height);
  // The scale bar, under the map's left edge.
  const bar = scaleBar(map);
  const bx = mapX;
  const by = mapY + pixels.height + px(22);
  ctx.fillStyle = '#1a1a1a';
  ctx.fillRect(bx, by - px(4), px(bar.px), px(4));
  ctx.fillRect(bx, by - px(10), px(1.5), px(10));
  ctx.fillRect(bx + px(bar.px) - px(1.5), by - px(10), px(1.5), px(10));
  ctx.font = `${px(12)}px ${FONT}`;
  ctx.fillText(bar.label, bx + px(bar.px) + px(6), by);
  // The legend, right of the map.
  const lx = mapX + pixels.width + pad;
  let ly = mapY + px(18);
  ctx.font = `600 ${px(15)}px ${FONT}`;
  ctx.fillText(legendTitle, lx, ly);
  ly += px(10);
  ctx.font = `${px(13)}px ${FONT}`;
  for (const { color, label } of legend) {
    ctx.fillStyle = color;
    ctx.fillRect(lx, ly, px(18), px(14));
    ctx.strokeStyle = '#777777';
    ctx.strokeRect(lx, ly, px(18), px(14));
    ctx.fillStyle = '#1a1a1a';
    ctx.fillText(label, lx + px(26), ly + px(12));
    ly += px(20);
  }
  if (note) {
    ly += px(8);
    ctx.font = `${px(11)}px ${FONT}`;
    ctx.fillStyle = '#444444';
    for (const line of wrap(ctx, note, legendW - pad)) {
      ly += px(14);
      ctx.fillText(line, lx, ly);
    }
  }
  // The attribution under the map.
  ctx.font = `${px(11)}px ${FONT}`;
  ctx.fillStyle = '#444444';
  credits.forEach((line, i) => ctx.fillText(line, mapX, mapY + pixels.height + barH + px(18 + 14 * i)));
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png'));
}
