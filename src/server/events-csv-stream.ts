import {
  eventsCsv,
  listEvents,
  type EventPage,
  type ListEventsOptions,
  type QueryStore,
} from "../query/index.js";

/**
 * The events of `options` as one CSV body, read a page at a time so a long range never sits in memory
 * whole: `first` is the page already read (so its errors were answered as a 400), the others follow
 * its cursor until none is left or `options.limit` events were written.
 */
export function eventsCsvStream(
  store: QueryStore,
  options: ListEventsOptions,
  first: EventPage,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const wanted = options.limit ?? Number.POSITIVE_INFINITY;
  let page: EventPage | undefined = first;
  let written = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!page) {
        controller.close();
        return;
      }
      const events = page.events.slice(0, wanted - written);
      controller.enqueue(encoder.encode(eventsCsv(events, written === 0)));
      written += events.length;
      const cursor = page.nextCursor;
      const pageSize = page.events.length || 1;
      page =
        cursor && written < wanted
          ? await listEvents(store, { ...options, cursor, limit: Math.min(pageSize, wanted - written) })
          : undefined;
    },
  });
}
