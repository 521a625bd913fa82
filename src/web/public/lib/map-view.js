// @ts-check
/**
 * The village map on stacked canvases, drawn from the site GeoJSON with no
 * tiles (the command centre may be offline):
 *   base      zones, roads, places — redrawn on resize or site change
 *   coverage  road pieces no team reaches in time — on coverage change
 *   devices   every device, clustered per screen cell — at most once per batch
 *   overlay   incidents, teams and their routes — every frame (a handful of items)
 * Only the overlay moves every frame, so 10,000 devices cost one clustered
 * redraw per batch, not per frame.
 */

export const SEVERITY_COLOR = { red: '#e5484d', orange: '#f76b15', blue: '#3e8ed0', green: '#30a46c' };
export const KIND_STYLE = {
  camera: { shape: 'square', color: '#58a6ff' },
  lock: { shape: 'diamond', color: '#bc8cff' },
  'ebike-station': { shape: 'triangle', color: '#39c5cf' },
  fire: { shape: 'circle', color: '#ffa657' },
};
export const HEALTH_COLOR = { offline: '#6e7681', partial: '#d29922', alarm: '#ff4d4f' };
/** The dashed ring around a device under a maintenance window (its fill keeps its own online/offline colour). */
export const MAINTENANCE_COLOR = '#aeb8c4';
const MAINTENANCE_DASH = [2.5, 2];
export const TEAM_COLOR = { available: '#3fb950', dispatched: '#f0883e', busy: '#d29922', off_duty: '#6e7681' };
const MIXED = { shape: 'circle', color: '#c9d1d9' };
/** Devices closer than this many CSS pixels are drawn as one cluster. */
const CELL_PX = 12;
const PADDING_PX = 28;

/** @typedef {import('./wall-state.js').WallState} WallState */
/** @typedef {{ bbox: [number, number, number, number]|null, roads: { features: { geometry: { coordinates: [number, number][][] }, properties: { roadClass: string|null, speedKmh: number } }[] }, zones: { features: { id?: string, geometry: { coordinates: [number, number][][][] }, properties: { name: string } }[] }, places: { features: { geometry: { coordinates: [number, number] }, properties: { name: string } }[] } }} SiteMap */

export class MapView {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    /** @type {Record<'base'|'coverage'|'devices'|'overlay', HTMLCanvasElement>} */
    this.canvas = {
      base: this.layer('base'),
      coverage: this.layer('coverage'),
      devices: this.layer('devices'),
      overlay: this.layer('overlay'),
    };
    this.width = 0;
    this.height = 0;
    this.dpr = 1;
    /** Bumped whenever the projection changes; devices remember the version their screen position is for. */
    this.pv = 0;
    /** @type {SiteMap|null} */
    this.site = null;
    this.projection = { cLon: 120.2, cLat: 30.2, kx: Math.cos((30.2 * Math.PI) / 180), scale: 20_000 };
    this.dirty = { base: true, coverage: true, devices: true };
    /** @type {[number, number, number, number]|null} */
    this.deviceExtent = null;
    this.lastDevicesMs = 0;
    this.clusters = 0;
    /** The overlay must be drawn on the next frame even if nothing changed (projection moved, last animation frame). */
    this.overlayStale = true;
    this.overlayAt = 0;
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  /** @param {string} name */
  layer(name) {
    const canvas = document.createElement('canvas');
    canvas.className = `layer layer-${name}`;
    this.container.append(canvas);
    return canvas;
  }

  resize() {
    const width = this.container.clientWidth;
    const height = this.container.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (width === this.width && height === this.height && dpr === this.dpr) return;
    Object.assign(this, { width, height, dpr });
    for (const canvas of Object.values(this.canvas)) {
      canvas.width = Math.max(1, Math.round(width * dpr));
      canvas.height = Math.max(1, Math.round(height * dpr));
    }
    this.fit();
  }

  /** @param {SiteMap} site */
  setSite(site) {
    this.site = site;
    this.fit();
  }

  /** Frames the site and the devices (a device outside the site files is still on screen). @param {WallState} state */
  fitDevices(state) {
    let extent = null;
    for (const d of state.devices.values()) {
      if (d.lon === null || d.lat === null) continue;
      if (!extent) extent = [d.lon, d.lat, d.lon, d.lat];
      else {
        if (d.lon < extent[0]) extent[0] = d.lon;
        if (d.lat < extent[1]) extent[1] = d.lat;
        if (d.lon > extent[2]) extent[2] = d.lon;
        if (d.lat > extent[3]) extent[3] = d.lat;
      }
    }
    this.deviceExtent = /** @type {[number, number, number, number]|null} */ (extent);
    this.fit();
  }

  fit() {
    const boxes = [this.site?.bbox, this.deviceExtent].filter((b) => Array.isArray(b));
    if (boxes.length > 0 && this.width > 0 && this.height > 0) {
      const [w, s, e, n] = boxes.reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
      const cLat = (s + n) / 2;
      const kx = Math.cos((cLat * Math.PI) / 180);
      const spanX = Math.max((e - w) * kx, 1e-4);
      const spanY = Math.max(n - s, 1e-4);
      const scale = Math.min((this.width - 2 * PADDING_PX) / spanX, (this.height - 2 * PADDING_PX) / spanY);
      this.projection = { cLon: (w + e) / 2, cLat, kx, scale: Math.max(scale, 1) };
    }
    this.pv += 1;
    this.dirty = { base: true, coverage: true, devices: true };
    this.overlayStale = true;
  }

  /** @param {number} lon @param {number} lat @returns {[number, number]} */
  project(lon, lat) {
    const p = this.projection;
    return [this.width / 2 + (lon - p.cLon) * p.kx * p.scale, this.height / 2 - (lat - p.cLat) * p.scale];
  }

  /** @param {HTMLCanvasElement} canvas */
  context(canvas) {
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    return ctx;
  }

  /** @param {WallState} state @param {number} now */
  render(state, now) {
    if (state.changed.coverage) this.dirty.coverage = true;
    if (state.changed.devices) this.dirty.devices = true;
    if (this.dirty.base) this.drawBase();
    if (this.dirty.coverage) this.drawCoverage(state);
    if (this.dirty.devices) this.drawDevices(state);
    // The overlay animates (pulsing incidents, moving route dashes) only while there is something to animate;
    // an unchanged canvas costs the compositor nothing, a redrawn one a full-screen upload per frame.
    const animating = state.incidents.size > 0;
    // Once a second regardless: a team whose tracker went silent turns stale with no message to say so.
    if (animating || state.changed.teams || state.changed.incidents || this.overlayStale || now - this.overlayAt >= 1000) {
      this.drawOverlay(state, now);
      this.overlayStale = animating;
      this.overlayAt = now;
    }
  }

  drawBase() {
    this.dirty.base = false;
    const ctx = this.context(this.canvas.base);
    ctx.fillStyle = '#0b1016';
    ctx.fillRect(0, 0, this.width, this.height);
    const site = this.site;
    if (!site) return;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    for (const zone of site.zones.features) {
      ctx.beginPath();
      for (const polygon of zone.geometry.coordinates) for (const ring of polygon) this.tracePath(ctx, ring, true);
      ctx.fillStyle = 'rgba(56, 139, 253, 0.06)';
      ctx.fill('evenodd');
      ctx.strokeStyle = 'rgba(56, 139, 253, 0.35)';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    for (const road of site.roads.features) {
      ctx.beginPath();
      for (const line of road.geometry.coordinates) this.tracePath(ctx, line, false);
      const speed = road.properties.speedKmh;
      ctx.lineWidth = speed >= 40 ? 4 : speed >= 25 ? 3 : 1.6;
      ctx.strokeStyle = speed >= 40 ? '#3d4a5c' : '#2b3440';
      ctx.stroke();
    }
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = 'rgba(120, 160, 220, 0.55)';
    for (const zone of site.zones.features) {
      const ring = zone.geometry.coordinates[0]?.[0];
      if (!ring || ring.length === 0) continue;
      const [lon, lat] = ring.reduce((a, p) => [a[0] + p[0] / ring.length, a[1] + p[1] / ring.length], [0, 0]);
      const [x, y] = this.project(lon, lat);
      ctx.fillText(zone.properties.name, x, y);
    }
    const labelPlaces = site.places.features.length <= 300;
    for (const place of site.places.features) {
      const [x, y] = this.project(place.geometry.coordinates[0], place.geometry.coordinates[1]);
      ctx.fillStyle = '#8b949e';
      ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      if (labelPlaces) {
        ctx.fillStyle = 'rgba(201, 209, 217, 0.7)';
        ctx.fillText(place.properties.name, x + 5, y);
      }
    }
  }

  /** @param {WallState} state */
  drawCoverage(state) {
    this.dirty.coverage = false;
    const ctx = this.context(this.canvas.coverage);
    ctx.clearRect(0, 0, this.width, this.height);
    if (!state.coverage) return;
    ctx.beginPath();
    for (const piece of state.coverage.uncovered) this.tracePath(ctx, piece.geometry.coordinates, false);
    ctx.strokeStyle = 'rgba(255, 77, 79, 0.45)';
    ctx.lineWidth = 6;
    ctx.lineCap = 'butt';
    ctx.stroke();
  }

  /** @param {WallState} state */
  drawDevices(state) {
    const started = performance.now();
    this.dirty.devices = false;
    const ctx = this.context(this.canvas.devices);
    ctx.clearRect(0, 0, this.width, this.height);
    /** @type {Map<number, { n: number, off: number, maint: number, sx: number, sy: number, kind: string, mixed: boolean }>} */
    const cells = new Map();
    /** @type {import('./wall-state.js').DeviceState[]} */
    const alarms = [];
    const pv = this.pv;
    const maxX = this.width + CELL_PX;
    const maxY = this.height + CELL_PX;
    for (const d of state.devices.values()) {
      if (d.kind === 'team' || d.lon === null || d.lat === null) continue;
      if (d.pv !== pv) {
        const [x, y] = this.project(d.lon, d.lat);
        d.x = x;
        d.y = y;
        d.pv = pv;
      }
      const x = /** @type {number} */ (d.x);
      const y = /** @type {number} */ (d.y);
      if (x < -CELL_PX || y < -CELL_PX || x > maxX || y > maxY) continue;
      if (state.alarmDevices.has(d.id)) {
        alarms.push(d);
        continue;
      }
      const key = Math.floor(x / CELL_PX + 1) * 65536 + Math.floor(y / CELL_PX + 1);
      let cell = cells.get(key);
      if (!cell) cells.set(key, (cell = { n: 0, off: 0, maint: 0, sx: 0, sy: 0, kind: d.kind, mixed: false }));
      cell.n += 1;
      if (!d.online) cell.off += 1;
      if (d.maintenance !== null && d.maintenance !== undefined) cell.maint += 1;
      cell.sx += x;
      cell.sy += y;
      if (cell.kind !== d.kind) cell.mixed = true;
    }
    /** One path per fill colour and shape: a few fills instead of one per device. @type {Map<string, { path: Path2D, color: string }>} */
    const fills = new Map();
    const partial = new Path2D();
    const maintenance = new Path2D();
    /** @type {[number, number, number][]} */
    const labels = [];
    for (const cell of cells.values()) {
      const style = cell.mixed ? MIXED : KIND_STYLE[/** @type {keyof typeof KIND_STYLE} */ (cell.kind)] ?? MIXED;
      const color = cell.off === cell.n ? HEALTH_COLOR.offline : style.color;
      const key = `${style.shape}|${color}`;
      let group = fills.get(key);
      if (!group) fills.set(key, (group = { path: new Path2D(), color }));
      const x = cell.sx / cell.n;
      const y = cell.sy / cell.n;
      const r = cell.n === 1 ? 3.5 : Math.min(9, 3.5 + 1.4 * Math.log2(cell.n));
      glyph(group.path, style.shape, x, y, r);
      if (cell.off > 0 && cell.off < cell.n) {
        partial.moveTo(x + r + 2, y);
        partial.arc(x, y, r + 2, 0, Math.PI * 2);
      }
      if (cell.maint > 0) {
        maintenance.moveTo(x + r + 4.5, y);
        maintenance.arc(x, y, r + 4.5, 0, Math.PI * 2);
      }
      if (cell.n >= 10) labels.push([x, y, cell.n]);
    }
    for (const group of fills.values()) {
      ctx.fillStyle = group.color;
      ctx.fill(group.path);
    }
    ctx.strokeStyle = HEALTH_COLOR.partial;
    ctx.lineWidth = 1.5;
    ctx.stroke(partial);
    strokeMaintenance(ctx, maintenance);
    ctx.font = 'bold 9px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#0b1016';
    for (const [x, y, n] of labels) ctx.fillText(n > 999 ? '1k+' : String(n), x, y);
    const alarmPath = new Path2D();
    for (const d of alarms) glyph(alarmPath, KIND_STYLE[/** @type {keyof typeof KIND_STYLE} */ (d.kind)]?.shape ?? 'circle', /** @type {number} */ (d.x), /** @type {number} */ (d.y), 6);
    ctx.fillStyle = HEALTH_COLOR.alarm;
    ctx.fill(alarmPath);
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.stroke(alarmPath);
    const alarmMaintenance = new Path2D();
    for (const d of alarms) {
      if (d.maintenance === null || d.maintenance === undefined) continue;
      alarmMaintenance.moveTo(/** @type {number} */ (d.x) + 11, /** @type {number} */ (d.y));
      alarmMaintenance.arc(/** @type {number} */ (d.x), /** @type {number} */ (d.y), 11, 0, Math.PI * 2);
    }
    strokeMaintenance(ctx, alarmMaintenance);
    this.clusters = cells.size;
    this.lastDevicesMs = performance.now() - started;
  }

  /** @param {WallState} state @param {number} now */
  drawOverlay(state, now) {
    const ctx = this.context(this.canvas.overlay);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    for (const incident of state.incidents.values()) {
      for (const order of incident.orders) {
        if (order.route.length < 2) continue;
        ctx.beginPath();
        this.tracePath(ctx, order.route, false);
        ctx.setLineDash([10, 6]);
        ctx.lineDashOffset = -now / 40;
        ctx.lineWidth = 3;
        ctx.strokeStyle = order.status === 'accepted' ? '#f0883e' : 'rgba(240, 136, 62, 0.6)';
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const incident of state.incidents.values()) {
      const at = this.incidentPosition(state, incident);
      if (!at) continue;
      const [x, y] = at;
      const color = SEVERITY_COLOR[incident.severity] ?? SEVERITY_COLOR.blue;
      const phase = (now % 1400) / 1400;
      ctx.beginPath();
      ctx.arc(x, y, 9 + 22 * phase, 0, Math.PI * 2);
      ctx.strokeStyle = color;
      ctx.globalAlpha = 1 - phase;
      ctx.lineWidth = 3;
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.arc(x, y, 8, 0, Math.PI * 2);
      ctx.fillStyle = color;
      ctx.fill();
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.fillStyle = '#ffffff';
      ctx.textAlign = 'left';
      ctx.fillText(`#${incident.id}`, x + 12, y - 12);
    }
    for (const team of state.teams.values()) {
      if (team.lon === null || team.lat === null) continue;
      const [x, y] = this.project(team.lon, team.lat);
      const stale = team.lastSeenAt === null || now - team.lastSeenAt > state.settings.teamStaleAfterMs;
      const color = TEAM_COLOR[/** @type {keyof typeof TEAM_COLOR} */ (team.status)] ?? TEAM_COLOR.off_duty;
      ctx.beginPath();
      ctx.arc(x, y, 7, 0, Math.PI * 2);
      if (stale) {
        ctx.setLineDash([3, 3]);
        ctx.strokeStyle = color;
        ctx.lineWidth = 2;
        ctx.stroke();
        ctx.setLineDash([]);
      } else {
        ctx.fillStyle = color;
        ctx.fill();
        ctx.strokeStyle = '#0b1016';
        ctx.lineWidth = 2;
        ctx.stroke();
      }
      ctx.fillStyle = '#e6edf3';
      ctx.textAlign = 'left';
      ctx.fillText(team.name, x + 10, y);
    }
  }

  /** @param {WallState} state @param {import('./wall-state.js').IncidentState} incident @returns {[number, number]|undefined} */
  incidentPosition(state, incident) {
    if (incident.lon !== null && incident.lat !== null) return this.project(incident.lon, incident.lat);
    const device = state.devices.get(incident.deviceId);
    if (device && device.lon !== null && device.lat !== null) return this.project(device.lon, device.lat);
    return undefined;
  }

  /** @param {CanvasRenderingContext2D} ctx @param {[number, number][]} points @param {boolean} close */
  tracePath(ctx, points, close) {
    points.forEach(([lon, lat], i) => {
      const [x, y] = this.project(lon, lat);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    if (close) ctx.closePath();
  }
}

/** The maintenance rings: grey, dashed (the brigade console's overlay draws its own with it). @param {CanvasRenderingContext2D} ctx @param {Path2D} path */
export function strokeMaintenance(ctx, path) {
  ctx.save();
  ctx.setLineDash(MAINTENANCE_DASH);
  ctx.strokeStyle = MAINTENANCE_COLOR;
  ctx.lineWidth = 1.5;
  ctx.stroke(path);
  ctx.restore();
}

/** @param {Path2D} path @param {string} shape @param {number} x @param {number} y @param {number} r */
function glyph(path, shape, x, y, r) {
  switch (shape) {
    case 'square':
      path.rect(x - r, y - r, 2 * r, 2 * r);
      break;
    case 'diamond':
      path.moveTo(x, y - r * 1.3);
      path.lineTo(x + r * 1.3, y);
      path.lineTo(x, y + r * 1.3);
      path.lineTo(x - r * 1.3, y);
      path.closePath();
      break;
    case 'triangle':
      path.moveTo(x, y - r * 1.3);
      path.lineTo(x + r * 1.2, y + r);
      path.lineTo(x - r * 1.2, y + r);
      path.closePath();
      break;
    default:
      path.moveTo(x + r, y);
      path.arc(x, y, r, 0, Math.PI * 2);
  }
}

/** A legend line: its glyph or swatch, then its words. @param {HTMLElement} icon @param {string} text */
export function legendEntry(icon, text) {
  const item = document.createElement('li');
  const label = document.createElement('span');
  label.textContent = text;
  item.append(icon, label);
  return item;
}

/** A coloured swatch for the legend, styled by the page (`.swatch.<kind>`). @param {string} color @param {string} kind */
export function legendSwatch(color, kind) {
  const box = document.createElement('span');
  box.className = `swatch ${kind}`;
  box.style.setProperty('--color', color);
  return box;
}

/**
 * A glyph for the legend (DOM): the same shapes as the map.
 * @param {string} shape @param {string} color @param {boolean} [ring] the amber "partly offline" ring
 * @param {boolean} [maintenance] the dashed "under maintenance" ring
 */
export function legendGlyph(shape, color, ring = false, maintenance = false) {
  const canvas = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  canvas.width = 18 * dpr;
  canvas.height = 18 * dpr;
  canvas.className = 'glyph';
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const path = new Path2D();
  glyph(path, shape, 9, 9, 4.5);
  ctx.fillStyle = color;
  ctx.fill(path);
  if (ring) {
    ctx.strokeStyle = HEALTH_COLOR.partial;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(9, 9, 7.5, 0, Math.PI * 2);
    ctx.stroke();
  }
  if (maintenance) {
    const dashed = new Path2D();
    dashed.arc(9, 9, 8, 0, Math.PI * 2);
    strokeMaintenance(ctx, dashed);
  }
  return canvas;
}
