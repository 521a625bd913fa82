/** Where a position lands on the road network. */
export interface SegmentHit {
  segment: number;
  /** 0 at the segment's `from` node, 1 at its `to` node. */
  fraction: number;
  /** Straight-line distance from the position to that point. */
  distanceM: number;
}

export interface SegmentGeometry {
  readonly segmentCount: number;
  readonly segFrom: Int32Array;
  readonly segTo: Int32Array;
  readonly nodeX: Float64Array;
  readonly nodeY: Float64Array;
}

/** Enough cells to keep lists short, few enough that a sparse site does not allocate a huge empty grid. */
const MAX_CELLS_PER_SEGMENT = 4;

/**
 * Uniform grid over projected segments (CSR: `cellStart` into `cellItems`),
 * searched in rings outward from the query cell until no unvisited cell can
 * hold anything nearer than the best hit so far.
 */
export class SegmentGrid {
  private readonly cellSize: number;
  private readonly minX: number;
  private readonly minY: number;
  private readonly columns: number;
  private readonly rows: number;
  private readonly cellStart: Int32Array;
  private readonly cellItems: Int32Array;
  /** Per-query visit marks; a segment spanning several cells is measured once. */
  private readonly seenAt: Uint32Array;
  private query = 0;

  constructor(private readonly g: SegmentGeometry) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let totalLength = 0;
    for (let s = 0; s < g.segmentCount; s++) {
      const a = g.segFrom[s] as number;
      const b = g.segTo[s] as number;
      const ax = g.nodeX[a] as number;
      const ay = g.nodeY[a] as number;
      const bx = g.nodeX[b] as number;
      const by = g.nodeY[b] as number;
      minX = Math.min(minX, ax, bx);
      minY = Math.min(minY, ay, by);
      maxX = Math.max(maxX, ax, bx);
      maxY = Math.max(maxY, ay, by);
      totalLength += Math.hypot(bx - ax, by - ay);
    }
    if (g.segmentCount === 0) minX = minY = maxX = maxY = 0;
    const width = maxX - minX;
    const height = maxY - minY;
    let cellSize = Math.max(1, g.segmentCount === 0 ? 1 : totalLength / g.segmentCount);
    const maxCells = MAX_CELLS_PER_SEGMENT * g.segmentCount + 1024;
    const cells = (width / cellSize + 1) * (height / cellSize + 1);
    if (cells > maxCells) cellSize *= Math.sqrt(cells / maxCells);
    this.cellSize = cellSize;
    this.minX = minX;
    this.minY = minY;
    this.columns = Math.floor(width / cellSize) + 1;
    this.rows = Math.floor(height / cellSize) + 1;

    const cellCount = this.columns * this.rows;
    const counts = new Int32Array(cellCount + 1);
    this.forEachCellOfSegment((cell) => {
      counts[cell + 1] = (counts[cell + 1] as number) + 1;
    });
    for (let c = 0; c < cellCount; c++) counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
    this.cellStart = counts;
    this.cellItems = new Int32Array(counts[cellCount] as number);
    const fill = counts.slice(0, cellCount);
    this.forEachCellOfSegment((cell, segment) => {
      const at = fill[cell] as number;
      this.cellItems[at] = segment;
      fill[cell] = at + 1;
    });
    this.seenAt = new Uint32Array(g.segmentCount);
  }

  /** The nearest point on any segment to projected (x, y); `undefined` only for an empty network. */
  nearest(x: number, y: number): SegmentHit | undefined {
    if (this.g.segmentCount === 0) return undefined;
    this.query = this.query === 0xffffffff ? 1 : this.query + 1;
    if (this.query === 1) this.seenAt.fill(0);
    const cx = Math.floor((x - this.minX) / this.cellSize);
    const cy = Math.floor((y - this.minY) / this.cellSize);
    // Rings that miss the grid entirely hold nothing; start at the first that touches it.
    const firstRing = Math.max(0, -cx, cx - (this.columns - 1), -cy, cy - (this.rows - 1));
    const lastRing = Math.max(cx, this.columns - 1 - cx, cy, this.rows - 1 - cy);
    const best: SegmentHit = { segment: -1, fraction: 0, distanceM: Infinity };
    for (let ring = firstRing; ring <= lastRing; ring++) {
      const c0 = cx - ring;
      const c1 = cx + ring;
      const r0 = cy - ring;
      const r1 = cy + ring;
      for (let c = Math.max(c0, 0); c <= Math.min(c1, this.columns - 1); c++) {
        this.visitCell(c, r0, x, y, best);
        if (r1 !== r0) this.visitCell(c, r1, x, y, best);
      }
      for (let r = Math.max(r0 + 1, 0); r <= Math.min(r1 - 1, this.rows - 1); r++) {
        this.visitCell(c0, r, x, y, best);
        if (c1 !== c0) this.visitCell(c1, r, x, y, best);
      }
      // Every cell of the next ring is at least `ring` cells away from the query's cell.
      if (best.segment >= 0 && best.distanceM <= ring * this.cellSize) break;
    }
    return best;
  }

  private visitCell(c: number, r: number, x: number, y: number, best: SegmentHit): void {
    if (c < 0 || r < 0 || c >= this.columns || r >= this.rows) return;
    const cell = r * this.columns + c;
    const end = this.cellStart[cell + 1] as number;
    const { segFrom, segTo, nodeX, nodeY } = this.g;
    for (let i = this.cellStart[cell] as number; i < end; i++) {
      const s = this.cellItems[i] as number;
      if (this.seenAt[s] === this.query) continue;
      this.seenAt[s] = this.query;
      const a = segFrom[s] as number;
      const b = segTo[s] as number;
      const ax = nodeX[a] as number;
      const ay = nodeY[a] as number;
      const dx = (nodeX[b] as number) - ax;
      const dy = (nodeY[b] as number) - ay;
      const length2 = dx * dx + dy * dy;
      let t = length2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / length2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const distance = Math.hypot(ax + t * dx - x, ay + t * dy - y);
      if (distance < best.distanceM) {
        best.segment = s;
        best.fraction = t;
        best.distanceM = distance;
      }
    }
  }

  private forEachCellOfSegment(visit: (cell: number, segment: number) => void): void {
    const { segFrom, segTo, nodeX, nodeY } = this.g;
    for (let s = 0; s < this.g.segmentCount; s++) {
      const a = segFrom[s] as number;
      const b = segTo[s] as number;
      const c0 = Math.floor((Math.min(nodeX[a] as number, nodeX[b] as number) - this.minX) / this.cellSize);
      const c1 = Math.floor((Math.max(nodeX[a] as number, nodeX[b] as number) - this.minX) / this.cellSize);
      const r0 = Math.floor((Math.min(nodeY[a] as number, nodeY[b] as number) - this.minY) / this.cellSize);
      const r1 = Math.floor((Math.max(nodeY[a] as number, nodeY[b] as number) - this.minY) / this.cellSize);
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) visit(r * this.columns + c, s);
    }
  }
}
