// @ts-check
/**
 * Claim codes as the installer page meets them: typed on the phone, read by
 * the camera from a sticker, or given in the address (`/install?code=…`).
 * The sticker sheet's QR holds the code exactly as printed (`FD-7K3Q-9M2X`,
 * docs/pairing.md); a QR that holds a link to this page with `?code=` is read
 * too, so either kind of sticker works. The gateway checks the code (format,
 * check character, whether it exists); this only finds it in what was read.
 */

const MAX_CODE_CHARS = 40;

/**
 * The claim code in a scanned QR: the text itself, or the `code` parameter of a link.
 * @param {string} raw
 * @returns {string}
 */
export function codeFromScan(raw) {
  const text = raw.trim();
  if (/^https?:\/\//i.test(text)) {
    try {
      const fromLink = new URL(text).searchParams.get('code');
      if (fromLink) return tidyCode(fromLink);
    } catch {
      // Not a link after all: take the text.
    }
  }
  return tidyCode(text);
}

/**
 * A typed code, upper case, without surrounding space; dashes and inner spaces are left for the gateway
 * (it accepts any case, with or without dashes and spaces).
 * @param {string} raw
 */
export function tidyCode(raw) {
  return raw.trim().toUpperCase().slice(0, MAX_CODE_CHARS);
}

/** The code given in this page's address, if any. */
export function codeFromAddress() {
  const code = new URLSearchParams(location.search).get('code');
  return code ? tidyCode(code) : undefined;
}
