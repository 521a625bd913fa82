/**
 * Speeds a patrol team (e-bike or small car) can hold on each kind of road,
 * used when a road has a `class` but no `speedKmh`. Village roads are narrow
 * and busy, so these sit well under the legal limits.
 */
export const ROAD_CLASS_SPEEDS_KMH = {
  main: 40,
  secondary: 30,
  lane: 15,
  path: 8,
} as const;

export type RoadClass = keyof typeof ROAD_CLASS_SPEEDS_KMH;

export const ROAD_CLASSES = Object.keys(ROAD_CLASS_SPEEDS_KMH) as [RoadClass, ...RoadClass[]];
