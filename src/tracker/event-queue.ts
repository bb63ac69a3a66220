/**
 * A FIFO queue of events waiting to be written. Taking from the front is O(1) amortised: the
 * array is compacted only when its consumed head grows large.
 */
export interface EventQueue<Item> {
  readonly length: number;
  push(item: Item): void;
  /** Removes and returns up to `count` items from the front. */
  take(count: number): Item[];
}

/** Creates an empty queue. */
export function createEventQueue<Item>(): EventQueue<Item> {
  let items: Item[] = [];
  let head = 0;
  return {
    get length() {
      return items.length - head;
    },
    push(item) {
      items.push(item);
    },
    take(count) {
      const end = Math.min(items.length, head + count);
      const taken = items.slice(head, end);
      head = end;
      if (head === items.length) {
        items = [];
        head = 0;
      } else if (head > 65_536 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      return taken;
    },
  };
}
