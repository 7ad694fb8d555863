/** Disjoint sets of the integers 0 to n - 1, with path compression: what channel groups are built from. */
export class UnionFind {
  private readonly parent: number[] = [];

  /** A new singleton set; returns its element, the next integer. */
  add(): number {
    const id = this.parent.length;
    this.parent.push(id);
    return id;
  }

  /** The number of elements: they are 0 to `size - 1`. */
  get size(): number {
    return this.parent.length;
  }

  /** The representative of `id`'s set. */
  find(id: number): number {
    let root = id;
    while (this.parent[root] !== root) root = this.parent[root];
    // Path compression keeps later finds short.
    for (let at = id; this.parent[at] !== root;) [at, this.parent[at]] = [this.parent[at], root];
    return root;
  }

  /** Joins the sets of `a` and `b`; returns the representative they keep (`a`'s) and the one they lose, or null if they were one. */
  union(a: number, b: number): { root: number; merged: number | null } {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent[rb] = ra;
    return { root: ra, merged: ra === rb ? null : rb };
  }
}
