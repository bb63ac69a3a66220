// The time windows of the dashboard, all in UTC. "Last N days" means one thing everywhere (cards,
// chart, tables, CLI, API): today so far plus the N−1 whole days before it. Spend cards compare a
// window with the same span N days earlier, up to the same time of day (so a morning is not
// compared with a full day).

const DAY = 86_400_000;

/** 00:00 UTC of the day of `instant`. */
export function startOfUtcDay(instant) {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}

/**
 * The three spend cards' windows and the windows they are compared with.
 * @returns {Array<{ id: string, label: string, comparedWith: string, current: { from: Date, to: Date }, previous: { from: Date, to: Date } }>}
 */
export function spendWindows(now) {
  const today = startOfUtcDay(now);
  const calendar = (days) => {
    const current = rangeWindow(now, days);
    const shift = (instant) => new Date(instant.getTime() - days * DAY);
    return { current, previous: { from: shift(current.from), to: shift(now) } };
  };
  return [
    {
      id: "today",
      label: "Today",
      comparedWith: "vs. same time yesterday",
      current: { from: today, to: now },
      previous: { from: new Date(today.getTime() - DAY), to: new Date(now.getTime() - DAY) },
    },
    { id: "7d", label: "Last 7 days", comparedWith: "vs. previous 7 days", ...calendar(7) },
    { id: "30d", label: "Last 30 days", comparedWith: "vs. previous 30 days", ...calendar(30) },
  ];
}

/** The dashboard's range: `days` whole UTC days ending with today (today included, up to now). */
export function rangeWindow(now, days) {
  return { from: new Date(startOfUtcDay(now).getTime() - (days - 1) * DAY), to: now };
}

/** The ISO start of every UTC day of a range, oldest first. */
export function daysOf(range) {
  const days = [];
  for (let day = startOfUtcDay(range.from).getTime(); day < range.to.getTime(); day += DAY) {
    days.push(new Date(day).toISOString());
  }
  return days;
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is a real calendar day written `YYYY-MM-DD` (what `<input type="date">` gives). */
export function isDay(text) {
  if (typeof text !== "string" || !dayPattern.test(text)) return false;
  const instant = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(instant.getTime()) && instant.toISOString().slice(0, 10) === text;
}

/** `YYYY-MM-DD` of an instant's UTC day. */
export function dayOf(instant) {
  return instant.toISOString().slice(0, 10);
}

/** A typed range: both days whole and included, from 00:00 UTC of `from` to 24:00 UTC of `to`. */
export function customWindow({ from, to }) {
  return { from: new Date(`${from}T00:00:00Z`), to: new Date(Date.parse(`${to}T00:00:00Z`) + DAY) };
}

/**
 * The window of the dashboard's view (`range`: 7, 30, 90 or "custom" with `custom: { from, to }`).
 */
export function viewWindow(now, view) {
  return view.range === "custom" ? customWindow(view.custom) : rangeWindow(now, view.range);
}

const dayFormat = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  year: "numeric",
  timeZone: "UTC",
});

/** How the view's range reads in a sentence: "last 7 days", "Nov 1, 2026 – Nov 15, 2026". */
export function rangePhrase(view) {
  if (view.range !== "custom") return `last ${view.range} days`;
  const { from, to } = customWindow(view.custom);
  const first = dayFormat.format(from);
  const last = dayFormat.format(new Date(to.getTime() - DAY));
  return first === last ? first : `${first} – ${last}`;
}
