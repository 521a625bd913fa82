import type { Device } from '../registry/device-registry.js';
import { PlaceIndex } from './place-index.js';
import type { Site } from './site.js';
import { ZoneIndex } from './zone-index.js';

export interface Location {
  place?: string;
  zone?: string;
  lon?: number;
  lat?: number;
}

/**
 * Places each device in the village: its zone (point in polygon) and the
 * named place it belongs to (nearest within `placeRadiusM`, e.g. the factory
 * whose detector it is). Answers are remembered per device until the site or
 * the device's position changes.
 */
export class DeviceLocator {
  private zones?: ZoneIndex;
  private places?: PlaceIndex;
  private readonly cache = new Map<string, { lon: number | null; lat: number | null; location: Location }>();

  constructor(private readonly placeRadiusM = 200) {}

  useSite(site: Site | undefined): void {
    this.zones = site ? new ZoneIndex(site.zones) : undefined;
    this.places = site ? new PlaceIndex(site.places) : undefined;
    this.cache.clear();
  }

  locate(device: Device): Location {
    const cached = this.cache.get(device.id);
    if (cached && cached.lon === device.lon && cached.lat === device.lat) return cached.location;
    const location = this.compute(device);
    this.cache.set(device.id, { lon: device.lon, lat: device.lat, location });
    return location;
  }

  zoneAt(lon: number, lat: number): string | undefined {
    return this.zones?.zoneAt(lon, lat)?.name;
  }

  private compute(device: Device): Location {
    if (device.lon === null || device.lat === null) return {};
    const zone = this.zones?.zoneAt(device.lon, device.lat)?.name;
    const place = this.places?.nearest(device.lon, device.lat, { maxDistanceM: this.placeRadiusM })?.place.name;
    return { lon: device.lon, lat: device.lat, ...(zone ? { zone } : {}), ...(place ? { place } : {}) };
  }
}
