import type { Random } from '../village/random.js';

/**
 * Daily rhythms, each a function of the hour of the village day scaled so
 * its average over 24 h is 1: a rate of "N a day" times the rhythm gives N
 * a day, spread the way the village lives.
 */

export interface Rhythm {
  name: string;
  /** Relative rate at this hour; the mean over the day is 1. */
  at(hour: number): number;
  /** Highest value over the day (for thinning). */
  max: number;
}

const gauss = (h: number, centre: number, width: number) => {
  // Distance around the clock, so a peak at 23:00 spills into 01:00.
  const d = Math.min(Math.abs(h - centre), 24 - Math.abs(h - centre));
  return Math.exp(-(d * d) / (2 * width * width));
};

function rhythm(name: string, shape: (hour: number) => number): Rhythm {
  const samples = 24 * 12;
  let sum = 0;
  let max = 0;
  for (let i = 0; i < samples; i++) {
    const value = shape((i * 24) / samples);
    sum += value;
    max = Math.max(max, value);
  }
  const mean = sum / samples;
  // The max is taken on a 5-minute grid; a little headroom keeps thinning exact between samples.
  return { name, at: (hour) => shape(hour) / mean, max: (max / mean) * 1.02 };
}

export const RHYTHMS = {
  /** Door swipes: out to work 06:30–08:30, lunch, home 17:00–20:00, late returns; few 01:00–05:00. */
  swipes: rhythm('swipes', (h) => 0.06 + 2.2 * gauss(h, 7.4, 0.9) + 0.5 * gauss(h, 12.2, 0.8) + 2.0 * gauss(h, 18.3, 1.4) + 0.7 * gauss(h, 22, 1)),
  /** E-bike traffic past the readers: commuting peaks, shift changes at the factories. */
  traffic: rhythm('traffic', (h) => 0.05 + 2.4 * gauss(h, 7.3, 0.8) + 0.8 * gauss(h, 12, 1) + 2.2 * gauss(h, 17.6, 1.1) + 0.5 * gauss(h, 20.5, 1.5)),
  /** Camera motion: people about in daylight, little at night. */
  activity: rhythm('activity', (h) => 0.15 + gauss(h, 8, 2) + 1.2 * gauss(h, 13, 3) + gauss(h, 18.5, 2)),
  /** Maintenance work (detector tests): working hours only. */
  workHours: rhythm('workHours', (h) => (h >= 9 && h < 17 ? 1 : 0.001)),
  /** False alarms follow cooking and shift work a little; real fires are as likely at night. */
  fire: rhythm('fire', (h) => 1 + 0.6 * gauss(h, 11.5, 1) + 0.8 * gauss(h, 18, 1.2)),
  flat: rhythm('flat', () => 1),
} satisfies Record<string, Rhythm>;

export type RhythmName = keyof typeof RHYTHMS;

/**
 * The next event of a Poisson process whose rate follows a rhythm, by
 * thinning: candidates at the peak rate, each kept with probability
 * rate(t) / peak. Returns village ms. Bounded: after `maxDraws` rejected
 * candidates (a long quiet night at a tiny rate) it returns the last one
 * with `event: false`, and the caller simply draws again from there.
 */
export function nextEventSim(
  random: Random,
  fromSimMs: number,
  perDay: number,
  rhythm: Rhythm,
  hourAt: (simMs: number) => number,
  maxDraws = 64,
): { atSim: number; event: boolean } {
  if (!(perDay > 0)) return { atSim: Infinity, event: false };
  const peakPerMs = (perDay * rhythm.max) / 86_400_000;
  let t = fromSimMs;
  for (let draw = 0; draw < maxDraws; draw++) {
    t += random.exponential(peakPerMs);
    if (random.next() * rhythm.max < rhythm.at(hourAt(t))) return { atSim: t, event: true };
  }
  return { atSim: t, event: false };
}
