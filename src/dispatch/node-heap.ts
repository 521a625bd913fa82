/**
 * Binary min-heap of node ids keyed by an external `seconds` array, with
 * decrease-key through a position index. Typed arrays, no per-push
 * allocation: a dispatch search pushes tens of thousands of nodes.
 */
export class NodeHeap {
  private readonly heap: Int32Array;
  /** Where each node sits in `heap`, or -1 when it is not queued. */
  private readonly position: Int32Array;
  private size = 0;

  constructor(
    nodeCount: number,
    private readonly seconds: Float64Array,
  ) {
    this.heap = new Int32Array(nodeCount);
    this.position = new Int32Array(nodeCount).fill(-1);
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Queues the node, or moves it up after its key has dropped. */
  pushOrDecrease(node: number): void {
    let at = this.position[node] as number;
    if (at < 0) {
      at = this.size++;
      this.heap[at] = node;
      this.position[node] = at;
    }
    this.siftUp(at);
  }

  pop(): number {
    const top = this.heap[0] as number;
    this.position[top] = -1;
    this.size -= 1;
    if (this.size > 0) {
      const last = this.heap[this.size] as number;
      this.heap[0] = last;
      this.position[last] = 0;
      this.siftDown(0);
    }
    return top;
  }

  private siftUp(at: number): void {
    const node = this.heap[at] as number;
    const key = this.seconds[node] as number;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = this.heap[parentAt] as number;
      if ((this.seconds[parent] as number) <= key) break;
      this.heap[at] = parent;
      this.position[parent] = at;
      at = parentAt;
    }
    this.heap[at] = node;
    this.position[node] = at;
  }

  private siftDown(at: number): void {
    const node = this.heap[at] as number;
    const key = this.seconds[node] as number;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= this.size) break;
      const right = left + 1;
      let child = left;
      let childKey = this.seconds[this.heap[left] as number] as number;
      if (right < this.size) {
        const rightKey = this.seconds[this.heap[right] as number] as number;
        if (rightKey < childKey) {
          child = right;
          childKey = rightKey;
        }
      }
      if (childKey >= key) break;
      const moved = this.heap[child] as number;
      this.heap[at] = moved;
      this.position[moved] = at;
      at = child;
    }
    this.heap[at] = node;
    this.position[node] = at;
  }
}
