// @ts-check
/**
 * The console's alarm sound, synthesised with WebAudio (no sound files, no
 * network). Browsers let a page start audio only after a user gesture, so
 * the console shows an "enable sound" control and creates the AudioContext
 * in its click handler; until then the alarm is visual only and the page
 * says so.
 */

/** @typedef {'off'|'on'|'muted'|'unavailable'} SoundState */

/** Two-tone, three times: the pattern of a fire-station turnout alarm, about 1.6 s. */
const ALARM = [
  [960, 0.22], [0, 0.05], [720, 0.22], [0, 0.05],
  [960, 0.22], [0, 0.05], [720, 0.22], [0, 0.05],
  [960, 0.22], [0, 0.05], [720, 0.22],
];
/** One soft rising pair: something new that is not red. */
const CHIME = [[660, 0.16], [0, 0.04], [880, 0.22]];
const TEST = [[880, 0.12]];

export class AlertSound {
  constructor() {
    /** @type {AudioContext|undefined} */
    this.context = undefined;
    this.muted = false;
    this.unavailable = false;
    /** Patterns actually handed to a running audio context. */
    this.played = { alarm: 0, chime: 0, test: 0 };
  }

  /** @returns {SoundState} */
  get state() {
    if (this.unavailable) return 'unavailable';
    if (!this.context) return 'off';
    return this.muted ? 'muted' : 'on';
  }

  /** Whether a pattern played now would be heard (as far as the page can tell). */
  get audible() {
    return this.context !== undefined && !this.muted && this.context.state === 'running';
  }

  /** Must run inside a user gesture (a click). @returns {Promise<boolean>} */
  async enable() {
    if (!this.context) {
      const Context = window.AudioContext ?? /** @type {any} */ (window).webkitAudioContext;
      if (!Context) {
        this.unavailable = true;
        return false;
      }
      try {
        this.context = /** @type {AudioContext} */ (new Context());
      } catch {
        this.unavailable = true;
        return false;
      }
    }
    this.muted = false;
    try {
      await this.context.resume();
    } catch {
      // Stays suspended: the visual alert still works.
    }
    this.play(TEST, 'test');
    return this.context.state === 'running';
  }

  /** On ↔ muted; from off it enables (the caller is a click). @returns {Promise<SoundState>} */
  async toggle() {
    if (!this.context || this.unavailable) await this.enable();
    else this.muted = !this.muted;
    return this.state;
  }

  /** @returns {boolean} whether it was played */
  alarm() {
    return this.play(ALARM, 'alarm');
  }

  /** @returns {boolean} */
  chime() {
    return this.play(CHIME, 'chime');
  }

  /**
   * @param {number[][]} pattern [frequency Hz (0 = rest), seconds][]
   * @param {'alarm'|'chime'|'test'} name
   */
  play(pattern, name) {
    const context = this.context;
    if (!context || this.muted || context.state !== 'running') return false;
    const gain = context.createGain();
    gain.connect(context.destination);
    gain.gain.value = 0;
    const oscillator = context.createOscillator();
    oscillator.type = name === 'alarm' ? 'square' : 'sine';
    oscillator.connect(gain);
    const level = name === 'alarm' ? 0.18 : 0.25;
    let at = context.currentTime + 0.02;
    for (const [frequency = 0, seconds = 0] of pattern) {
      if (frequency > 0) {
        oscillator.frequency.setValueAtTime(frequency, at);
        // Short ramps: no clicks at the edges of each tone.
        gain.gain.setValueAtTime(0, at);
        gain.gain.linearRampToValueAtTime(level, at + 0.01);
        gain.gain.setValueAtTime(level, at + seconds - 0.02);
        gain.gain.linearRampToValueAtTime(0, at + seconds);
      }
      at += seconds;
    }
    oscillator.start();
    oscillator.stop(at + 0.05);
    oscillator.onended = () => gain.disconnect();
    this.played[name] += 1;
    return true;
  }
}
