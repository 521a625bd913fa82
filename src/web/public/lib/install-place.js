// @ts-check
/**
 * Where the new device is mounted: the phone's position (geolocation, which
 * browsers give only to secure pages: HTTPS or localhost), a tap on the
 * village map, or coordinates typed in. The map is the wall's own MapView,
 * drawn from the site's GeoJSON with no tiles (the village may be offline);
 * the chosen place is drawn as the device's glyph under a pin, with the
 * accuracy of a GPS fix as a circle.
 */
import { KIND_STYLE, MapView } from './map-view.js';
import { WallState } from './wall-state.js';

/** @typedef {'gps'|'map'|'manual'} PlaceSource */
/** @typedef {{ lon: number, lat: number, accuracy: number|null, source: PlaceSource }} Place */
/** @typedef {'insecure'|'unsupported'|'denied'|'unavailable'|'timeout'} LocateProblem */

const M_PER_DEG_LAT = 111_320;
/** A place this far outside the site's map is probably a mistake (wrong fix, wrong village). */
const OUTSIDE_MARGIN_M = 500;
const PIN_ID = 'new-device';
const MIN_MAP_PX = 220;
const MAX_MAP_PX = 420;

export class LocateError extends Error {
  /** @param {LocateProblem} problem */
  constructor(problem) {
    super(problem);
    this.problem = problem;
  }
}

export class PlacePicker {
  /**
   * @param {HTMLElement} container
   * @param {(place: Place) => void} onChange called when the place changes by a tap, a fix or typed coordinates
   */
  constructor(container, onChange) {
    this.container = container;
    this.onChange = onChange;
    this.map = new MapView(container);
    this.state = new WallState();
    this.pin = document.createElement('canvas');
    this.pin.className = 'layer layer-pin';
    container.append(this.pin);
    /** @type {Place|null} */
    this.place = null;
    /** @type {import('./wall-state.js').DeviceKind} */
    this.kind = 'fire';
    /** @type {import('./map-view.js').SiteMap|null} */
    this.site = null;
    this.pinKey = '';
    this.heightKey = '';
    container.addEventListener('click', (event) => this.tap(event));
    const frame = () => {
      this.draw();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  /** @param {import('./map-view.js').SiteMap} site */
  setSite(site) {
    this.site = site;
    this.map.setSite(site);
    this.map.fitDevices(this.state);
  }

  /** @param {string} kind */
  setKind(kind) {
    this.kind = /** @type {import('./wall-state.js').DeviceKind} */ (kind);
    if (this.place) this.show(this.place);
  }

  /** Whether a tap can mean a place: the site's map is drawn, or a place is already on it. */
  hasMap() {
    return Boolean(this.site?.bbox) || this.place !== null;
  }

  /** @param {Place} place */
  set(place) {
    this.show(place);
    this.onChange(place);
  }

  clear() {
    this.place = null;
    this.state.devices.clear();
    this.state.changed.devices = true;
    this.map.fitDevices(this.state);
  }

  /** @param {Place} place */
  show(place) {
    this.place = place;
    this.state.devices.clear();
    this.state.devices.set(PIN_ID, { id: PIN_ID, kind: this.kind, online: true, lon: place.lon, lat: place.lat, lastSeenAt: null, name: null });
    this.state.changed.devices = true;
    this.map.fitDevices(this.state);
  }

  /**
   * The phone's position, once, as precise as it can get within 20 s.
   * @returns {Promise<Place>}
   */
  locate() {
    return new Promise((resolve, reject) => {
      if (!window.isSecureContext) return reject(new LocateError('insecure'));
      if (!navigator.geolocation) return reject(new LocateError('unsupported'));
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const place = /** @type {Place} */ ({ lon: position.coords.longitude, lat: position.coords.latitude, accuracy: position.coords.accuracy ?? null, source: 'gps' });
          this.set(place);
          resolve(place);
        },
        (error) => reject(new LocateError(error.code === error.PERMISSION_DENIED ? 'denied' : error.code === error.TIMEOUT ? 'timeout' : 'unavailable')),
        { enableHighAccuracy: true, timeout: 20_000, maximumAge: 10_000 },
      );
    });
  }

  /**
   * The map as tall as the site needs at this width (within a phone-friendly range): a wide village gets a
   * low map, a tall one a higher map, and taps keep the most precision the screen can give.
   * @param {number} width
   */
  fitHeight(width) {
    const bbox = this.site?.bbox;
    const key = bbox ? `${width}|${bbox.join(',')}` : '';
    if (!bbox || key === this.heightKey) return;
    this.heightKey = key;
    const [w, s, e, n] = bbox;
    const spanX = Math.max((e - w) * Math.cos((((s + n) / 2) * Math.PI) / 180), 1e-6);
    const ratio = Math.max(n - s, 1e-6) / spanX;
    const height = Math.round(Math.min(Math.max((width - 56) * ratio + 56, MIN_MAP_PX), MAX_MAP_PX));
    this.container.style.height = `${height}px`;
  }

  /** Whether the place lies well outside the site's map (a wrong fix, or the wrong village). @param {Place} place */
  isOutsideSite(place) {
    const bbox = this.site?.bbox;
    if (!bbox) return false;
    const [w, s, e, n] = bbox;
    const dLat = OUTSIDE_MARGIN_M / M_PER_DEG_LAT;
    const dLon = OUTSIDE_MARGIN_M / (M_PER_DEG_LAT * Math.cos((((s + n) / 2) * Math.PI) / 180));
    return place.lon < w - dLon || place.lon > e + dLon || place.lat < s - dLat || place.lat > n + dLat;
  }

  /** Screen position (CSS pixels in the map) → longitude, latitude: the inverse of MapView.project. @param {number} x @param {number} y @returns {[number, number]} */
  unproject(x, y) {
    const p = this.map.projection;
    return [p.cLon + (x - this.map.width / 2) / (p.kx * p.scale), p.cLat - (y - this.map.height / 2) / p.scale];
  }

  /** @param {MouseEvent} event */
  tap(event) {
    if (!this.hasMap()) return;
    const box = this.container.getBoundingClientRect();
    const [lon, lat] = this.unproject(event.clientX - box.left, event.clientY - box.top);
    this.set({ lon: round(lon), lat: round(lat), accuracy: null, source: 'map' });
  }

  draw() {
    const width = this.container.clientWidth;
    if (width === 0) return;
    this.fitHeight(width);
    const map = this.map;
    const place = this.place;
    const key = `${map.pv}|${map.width}|${map.height}|${place ? `${place.lon},${place.lat},${place.accuracy}` : ''}`;
    // Nothing moves on this map by itself: draw only what changed (a phone's battery thanks it).
    if (map.dirty.base || map.dirty.devices || this.state.changed.devices) {
      map.render(this.state, Date.now());
      for (const name of Object.keys(this.state.changed)) this.state.changed[/** @type {keyof WallState['changed']} */ (name)] = false;
    }
    if (key === this.pinKey) return;
    this.pinKey = key;
    const canvas = this.pin;
    canvas.width = Math.max(1, Math.round(map.width * map.dpr));
    canvas.height = Math.max(1, Math.round(map.height * map.dpr));
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.setTransform(map.dpr, 0, 0, map.dpr, 0, 0);
    ctx.clearRect(0, 0, map.width, map.height);
    if (!place) return;
    const [x, y] = map.project(place.lon, place.lat);
    if (place.accuracy !== null && place.accuracy > 0) {
      const r = (place.accuracy / M_PER_DEG_LAT) * map.projection.scale;
      ctx.beginPath();
      ctx.arc(x, y, Math.max(r, 4), 0, Math.PI * 2);
      ctx.fillStyle = 'rgba(88, 166, 255, 0.15)';
      ctx.fill();
      ctx.strokeStyle = 'rgba(88, 166, 255, 0.6)';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    const color = KIND_STYLE[/** @type {keyof typeof KIND_STYLE} */ (this.kind)]?.color ?? '#58a6ff';
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.bezierCurveTo(x - 4, y - 9, x - 10, y - 13, x - 10, y - 21);
    ctx.arc(x, y - 21, 10, Math.PI, 0);
    ctx.bezierCurveTo(x + 10, y - 13, x + 4, y - 9, x, y);
    ctx.closePath();
    ctx.fillStyle = color;
    ctx.fill();
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(x, y - 21, 3.5, 0, Math.PI * 2);
    ctx.fillStyle = '#0b1016';
    ctx.fill();
  }
}

/** Seven decimals: about a centimetre, more than any phone knows. @param {number} degrees */
function round(degrees) {
  return Math.round(degrees * 1e7) / 1e7;
}
