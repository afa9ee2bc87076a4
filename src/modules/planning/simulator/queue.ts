/** A first-in first-out queue of orders in growable typed arrays (millions of store orders a day in the full channel). */
export class OrderQueue {
  node = new Int32Array(1024);
  sku = new Int32Array(1024);
  qty = new Int32Array(1024);
  day = new Int32Array(1024);
  /** the order's id in the product (product mode only), else -1 */
  ref = new Float64Array(1024);
  head = 0;
  tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(node: number, sku: number, qty: number, day: number, ref = -1): void {
    if (this.tail === this.node.length) this.grow();
    const t = this.tail++;
    this.node[t] = node;
    this.sku[t] = sku;
    this.qty[t] = qty;
    this.day[t] = day;
    this.ref[t] = ref;
  }

  /** the first entry's order day, or Infinity when empty */
  peekDay(): number {
    return this.head < this.tail ? (this.day[this.head] as number) : Number.POSITIVE_INFINITY;
  }

  shift(): number {
    return this.head++;
  }

  private grow(): void {
    const live = this.tail - this.head;
    const cap = live * 2 > this.node.length ? this.node.length * 2 : this.node.length;
    const move = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(this.head, this.tail));
      return b;
    };
    this.node = move(this.node, (n) => new Int32Array(n));
    this.sku = move(this.sku, (n) => new Int32Array(n));
    this.qty = move(this.qty, (n) => new Int32Array(n));
    this.day = move(this.day, (n) => new Int32Array(n));
    this.ref = move(this.ref, (n) => new Float64Array(n));
    this.head = 0;
    this.tail = live;
  }
}
