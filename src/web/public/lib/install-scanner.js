// @ts-check
/**
 * Reading the sticker's QR with the phone camera, where the browser has a
 * barcode reader (`BarcodeDetector`, e.g. Chrome on Android) and a camera it
 * may use (`getUserMedia`, which browsers give only to secure pages: HTTPS
 * or localhost). Without either the page hides its scan button and the
 * installer types the code. Nothing is loaded from elsewhere.
 */

/** @typedef {{ rawValue: string }} DetectedBarcode */
/** @typedef {{ detect(source: HTMLVideoElement): Promise<DetectedBarcode[]> }} BarcodeDetectorLike */

const SCAN_EVERY_MS = 200;

/** The browser's BarcodeDetector constructor, if it has one. @returns {any} */
function detectorClass() {
  return /** @type {any} */ (window).BarcodeDetector;
}

/** Whether this browser can scan at all (checked without asking for the camera). */
export function canScan() {
  return typeof detectorClass() === 'function' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

export class Scanner {
  /** @param {HTMLVideoElement} video */
  constructor(video) {
    this.video = video;
    /** @type {MediaStream|null} */
    this.stream = null;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
    this.running = false;
  }

  /**
   * Opens the back camera and calls `onText` with the first QR read; throws when there is no camera,
   * it is refused, or the reader does not know QR codes.
   * @param {(text: string) => void} onText
   */
  async start(onText) {
    this.stop();
    const Detector = detectorClass();
    if (typeof Detector.getSupportedFormats === 'function') {
      const formats = /** @type {string[]} */ (await Detector.getSupportedFormats());
      if (!formats.includes('qr_code')) throw new Error('this barcode reader does not read QR codes');
    }
    /** @type {BarcodeDetectorLike} */
    const detector = new Detector({ formats: ['qr_code'] });
    this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
    this.running = true;
    this.video.srcObject = this.stream;
    await this.video.play();
    const look = async () => {
      if (!this.running) return;
      try {
        const found = await detector.detect(this.video);
        const text = found.find((code) => typeof code.rawValue === 'string' && code.rawValue.trim() !== '')?.rawValue;
        if (text !== undefined && this.running) {
          this.stop();
          onText(text);
          return;
        }
      } catch {
        // A frame the reader could not use (not ready yet): try the next one.
      }
      if (this.running) this.timer = setTimeout(look, SCAN_EVERY_MS);
    };
    this.timer = setTimeout(look, SCAN_EVERY_MS);
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }
}
