import { compareCodeUnits } from '../../workspace/PathKey';

/**
 * The planned writes not yet staged. The plan's lists are sorted, so a path is found by binary
 * search and one byte per write marks it staged: no map of every path beside the plan, which at
 * 50,000 files was megabytes of a full sync's peak memory (issue #10).
 */
export class PendingWrites {
  private readonly staged: Uint8Array[];
  private pending: number;

  constructor(private readonly lists: readonly (readonly string[])[]) {
    for (const list of lists) {
      for (let index = 1; index < list.length; index++) {
        if (compareCodeUnits(list[index - 1] as string, list[index] as string) >= 0) {
          throw new Error('planned writes must be sorted and distinct');
        }
      }
    }
    this.staged = lists.map((list) => new Uint8Array(list.length));
    this.pending = lists.reduce((sum, list) => sum + list.length, 0);
  }

  /** How many planned writes are not staged yet. */
  get size(): number {
    return this.pending;
  }

  /** Whether `path` is a planned write not staged yet. */
  has(path: string): boolean {
    const at = this.find(path);
    return at !== undefined && at.flags[at.index] === 0;
  }

  /** Marks `path` staged (a path not planned, or already staged, changes nothing). */
  markStaged(path: string): void {
    const at = this.find(path);
    if (at === undefined || at.flags[at.index] !== 0) return;
    at.flags[at.index] = 1;
    this.pending--;
  }

  /** The planned writes not staged yet, in the plan's order. */
  remaining(): string[] {
    const paths: string[] = [];
    this.lists.forEach((list, listIndex) => {
      const flags = this.staged[listIndex] as Uint8Array;
      list.forEach((path, index) => {
        if (flags[index] === 0) paths.push(path);
      });
    });
    return paths;
  }

  /** Where `path` is listed: its list's staged flags and its index there. */
  private find(path: string): { flags: Uint8Array; index: number } | undefined {
    for (const [list, paths] of this.lists.entries()) {
      let low = 0;
      let high = paths.length - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const order = compareCodeUnits(paths[middle] as string, path);
        if (order === 0) return { flags: this.staged[list] as Uint8Array, index: middle };
        if (order < 0) low = middle + 1;
        else high = middle - 1;
      }
    }
    return undefined;
  }
}
