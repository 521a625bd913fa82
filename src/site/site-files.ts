/**
 * The site description the operator provides: a directory with
 * `roads.geojson`, and optionally `zones.geojson` and `places.geojson`
 * (formats in docs/site-files.md). Validation is pure (`parseSite`); reading
 * and watching the directory are the thin I/O around it.
 */
export type { LonLat, Place, Road, Site, Travel, Zone } from './site.js';
export { ROAD_CLASS_SPEEDS_KMH, ROAD_CLASSES, type RoadClass } from './road-classes.js';
export { describeSiteIssue, SITE_FILES, type SiteFile, type SiteIssue } from './site-issues.js';
export { parseSite, parseSiteTexts, type SiteInput, type SiteResult } from './parse-site.js';
export { loadSite, readSiteTexts, SiteError, type SiteTexts } from './load-site.js';
export { SiteWatcher, type SiteChange, type SiteChangeListener, type SiteLog, type SiteWatcherOptions } from './site-watcher.js';
export { haversineM, LocalProjection, EARTH_RADIUS_M } from './geo.js';
export { ZoneIndex } from './zone-index.js';
export { PlaceIndex, type NearestPlace, type NearestPlaceQuery } from './place-index.js';
