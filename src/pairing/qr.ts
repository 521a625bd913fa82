import QRCode from 'qrcode';

/**
 * A QR code as an inline SVG element (no external assets), sized by CSS.
 * Error correction M survives a scuffed sticker and keeps the symbol small.
 */
export async function qrSvg(text: string, options: { label?: string } = {}): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  const attributes = `class="qr" role="img"${options.label ? ` aria-label="${escapeHtml(options.label)}"` : ''}`;
  return svg.replace(/^<svg /, `<svg ${attributes} `).trim();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
