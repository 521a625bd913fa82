import type { ClaimBatch, ClaimCode } from './claim-codes.js';
import { escapeHtml, qrSvg } from './qr.js';

const KIND_LABELS: Readonly<Record<string, string>> = {
  camera: 'Camera',
  lock: 'Door lock',
  'ebike-station': 'E-bike tag reader',
  fire: 'Fire detector',
  team: 'Patrol tracker',
};

/**
 * A printable sheet of claim-code stickers: one self-contained HTML page (no
 * scripts, fonts or images from elsewhere: QR codes are inline SVG), laid out
 * in a 4 × 7 grid per A4 page, 28 stickers a page. Used codes are marked, so a
 * reprint of a batch shows which stickers are spent.
 */
export async function claimSheetHtml(batch: ClaimBatch, codes: readonly ClaimCode[], generatedAt: number): Promise<string> {
  const cells = await Promise.all(codes.map((code) => stickerHtml(code)));
  const title = `Claim codes ${batch.id}`;
  const kind = KIND_LABELS[batch.kind] ?? batch.kind;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
@page { size: A4 portrait; margin: 10mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #000; background: #fff; }
header { font-size: 9pt; margin: 0 0 4mm; display: flex; justify-content: space-between; gap: 4mm; }
header h1 { font-size: 11pt; margin: 0; }
.sheet { display: grid; grid-template-columns: repeat(4, 1fr); grid-auto-rows: 37mm; gap: 0; }
.sticker { border: 0.2mm dashed #999; padding: 2mm; display: flex; flex-direction: column; align-items: center; justify-content: center; break-inside: avoid; page-break-inside: avoid; position: relative; overflow: hidden; }
.sticker svg.qr { width: 24mm; height: 24mm; display: block; }
.code { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 10.5pt; font-weight: bold; letter-spacing: 0.04em; margin-top: 1mm; }
.meta { font-size: 6.5pt; color: #333; }
.used::after { content: "USED"; position: absolute; top: 40%; left: 0; right: 0; text-align: center; transform: rotate(-20deg); font-weight: bold; font-size: 14pt; color: #c00; opacity: 0.7; }
@media screen { body { max-width: 190mm; margin: 10mm auto; } }
</style>
</head>
<body>
<header>
<h1>${escapeHtml(kind)} claim codes · site ${escapeHtml(batch.site)}</h1>
<span>batch ${escapeHtml(batch.id)}${batch.label ? ` · ${escapeHtml(batch.label)}` : ''} · ${codes.length} codes · printed ${escapeHtml(new Date(generatedAt).toISOString().slice(0, 10))}</span>
</header>
<main class="sheet">
${cells.join('\n')}
</main>
</body>
</html>
`;
}

async function stickerHtml(code: ClaimCode): Promise<string> {
  const svg = await qrSvg(code.code, { label: `claim code ${code.code}` });
  const used = code.usedAt !== null;
  return `<div class="sticker${used ? ' used' : ''}" data-code="${escapeHtml(code.code)}">${svg}<div class="code">${escapeHtml(code.code)}</div><div class="meta">${escapeHtml(code.site)} · ${escapeHtml(KIND_LABELS[code.kind] ?? code.kind)}</div></div>`;
}
