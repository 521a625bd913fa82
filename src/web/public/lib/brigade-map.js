// @ts-check
import { MapView } from './map-view.js';

/** Margin around the focus, CSS pixels. */
const PADDING_PX = 28;
const METRES_PER_DEGREE = 111_320;

/**
 * The wall's map, with one addition for the console: a focus. With a focus
 * (the selected fire and its nearby cameras) the map frames that circle
 * instead of the whole village — at village scale the cameras around a
 * factory are a few pixels apart. Without one it is the wall's overview.
 */
export class BrigadeMap extends MapView {
  /** @param {HTMLElement} container */
  constructor(container) {
    super(container);
    /** @type {{ lon: number, lat: number, radiusM: number }|undefined} */
    this.focus = undefined;
  }

  /** @param {{ lon: number, lat: number, radiusM: number }|undefined} focus */
  setFocus(focus) {
    const now = this.focus;
    if (now === focus || (now && focus && now.lon === focus.lon && now.lat === focus.lat && Math.abs(now.radiusM - focus.radiusM) < 1)) return;
    this.focus = focus;
    this.fit();
  }

  fit() {
    super.fit();
    // Called by MapView's constructor too, before this class has set anything.
    const focus = this.focus;
    if (!focus || this.width <= 0 || this.height <= 0) return;
    const span = (2 * focus.radiusM) / METRES_PER_DEGREE;
    const scale = Math.min(this.width - 2 * PADDING_PX, this.height - 2 * PADDING_PX) / span;
    this.projection = { cLon: focus.lon, cLat: focus.lat, kx: Math.cos((focus.lat * Math.PI) / 180), scale: Math.max(scale, 1) };
  }
}
