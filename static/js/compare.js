// Compare two years: a second map on top of the first, showing the compare year, clipped with
// CSS clip-path to the right of a divider. The cameras follow each other; the divider can be
// dragged or moved with the arrow keys.

import { GridMap, addOutline } from './map.js';
import { t } from './i18n.js';
import { loadTilesetStyle } from './api.js';

export class Compare {
  /** @param {GridMap} main the map showing the state's year (left side) */
  constructor(main, wrap, { style, basemap, extent, test }) {
    this.main = main;
    this.wrap = wrap;
    this.options = { style, basemap, extent, test };
    this.grid = null;
    this.pct = 50;
  }

  get active() {
    return this.grid !== null;
  }

  /** Shows `tileset` on the right side (opening the compare view if needed). */
  async show(tileset, years) {
    if (!this.grid) {
      const doc = this.main.docs.get(tileset.id) ?? (await loadTilesetStyle(tileset));
      if (!this.grid) this.#open(tileset, doc);
    }
    this.#label(years);
    await this.grid.show(tileset);
  }

  #open(tileset, doc) {
    const m = this.main.map;
    this.el = Object.assign(document.createElement('div'), { id: 'map-compare', className: 'map compare-map' });
    this.wrap.append(this.el);
    // Drawn from the start: held back, its transparent canvas would show the other year meanwhile.
    this.grid = new GridMap(this.el, {
      ...this.options, tileset, doc, controls: false, wholeFirst: false,
      camera: { center: m.getCenter().toArray(), zoom: m.getZoom() },
    });
    this.grid.selected = this.main.selected;
    this.grid.selectedLayer = this.main.selectedLayer;
    this.map = this.grid.map;
    if (!this.options.basemap) this.map.once('idle', () => addOutline(this.map));
    // The compare map lies over the whole main map (clip-path hides, it does not let clicks
    // through): its clicks and pointer moves are the main map's, for the panel and the names.
    for (const type of ['click', 'mousemove']) {
      this.map.on(type, (e) => m.fire(type, { point: e.point, lngLat: e.lngLat, originalEvent: e.originalEvent }));
    }
    this.map.on('mouseout', () => m.fire('mouseout'));
    this.map.setMinZoom(m.getMinZoom());
    this.map.setMaxBounds(m.getMaxBounds());

    // Each map follows the other; `syncing` stops the echo.
    let syncing = false;
    const follow = (from, to) => () => {
      if (syncing) return;
      syncing = true;
      to.jumpTo({ center: from.getCenter(), zoom: from.getZoom(), bearing: from.getBearing(), pitch: from.getPitch() });
      syncing = false;
    };
    this.unsync = [[m, this.map], [this.map, m]].map(([a, b]) => {
      const fn = follow(a, b);
      a.on('move', fn);
      return () => a.off('move', fn);
    });

    this.divider = Object.assign(document.createElement('div'), { className: 'divider', tabIndex: 0 });
    this.divider.setAttribute('role', 'separator');
    this.divider.setAttribute('aria-orientation', 'vertical');
    this.divider.setAttribute('aria-valuemin', '0');
    this.divider.setAttribute('aria-valuemax', '100');
    this.divider.append(Object.assign(document.createElement('span'), { className: 'divider-handle', textContent: '⟷' }));
    this.badges = [0, 1].map((i) => Object.assign(document.createElement('div'), { className: `year-badge ${i ? 'right' : 'left'}` }));
    this.wrap.append(this.divider, ...this.badges);

    this.divider.addEventListener('pointerdown', (e) => {
      this.divider.setPointerCapture(e.pointerId);
      const move = (ev) => {
        const r = this.wrap.getBoundingClientRect();
        this.#place(((ev.clientX - r.left) / r.width) * 100);
      };
      const up = () => {
        this.divider.removeEventListener('pointermove', move);
        this.divider.removeEventListener('pointerup', up);
      };
      this.divider.addEventListener('pointermove', move);
      this.divider.addEventListener('pointerup', up);
    });
    this.divider.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? 1 : 5;
      const to = { ArrowLeft: this.pct - step, ArrowRight: this.pct + step, Home: 0, End: 100 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      this.#place(to);
    });
    this.#place(this.pct);
    // The info panel opening or closing moves the divider out of its way and back.
    const info = document.getElementById('info');
    if (info) {
      this.watch = new MutationObserver(() => this.#place(this.pct));
      this.watch.observe(info, { attributes: true, attributeFilter: ['hidden'] });
    }
  }

  /**
   * Puts the divider at `pct` % of the width (what the user asked for), or left of the info
   * panel while that covers the divider's handle, so the handle stays in reach.
   */
  #place(pct) {
    this.pct = Math.min(100, Math.max(0, pct));
    let shown = this.pct;
    const info = document.getElementById('info');
    if (info && !info.hidden) {
      const r = this.wrap.getBoundingClientRect();
      const box = info.getBoundingClientRect();
      const handleY = r.top + r.height / 2;
      if (box.top < handleY && box.bottom > handleY && box.left > r.left) {
        shown = Math.min(shown, ((box.left - 28 - r.left) / r.width) * 100);
      }
    }
    this.el.style.clipPath = `inset(0 0 0 ${shown}%)`;
    this.divider.style.left = `${shown}%`;
    this.divider.setAttribute('aria-valuenow', String(Math.round(shown)));
  }

  #label([left, right] = this.years) {
    this.years = [left, right];
    this.badges[0].textContent = left;
    this.badges[1].textContent = right;
    this.divider.setAttribute('aria-label', t('divider', { a: left, b: right }));
  }

  /** Re-reads the divider's label (after a language switch). */
  relabel() {
    if (this.grid) this.#label();
  }

  close() {
    if (!this.grid) return;
    for (const off of this.unsync) off();
    this.map.remove();
    this.el.remove();
    this.divider.remove();
    this.watch?.disconnect();
    for (const b of this.badges) b.remove();
    this.grid = null;
    this.map = null;
  }
}
