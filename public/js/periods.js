// The time windows of the dashboard, all in UTC. Spend cards compare a window with the one just
// before it (today with the same hours of yesterday, so a morning is not compared with a full day).

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
  const rolling = (days) => ({
    current: { from: new Date(now.getTime() - days * DAY), to: now },
    previous: { from: new Date(now.getTime() - 2 * days * DAY), to: new Date(now.getTime() - days * DAY) },
  });
  return [
    {
      id: "today",
      label: "Today",
      comparedWith: "vs. same time yesterday",
      current: { from: today, to: now },
      previous: { from: new Date(today.getTime() - DAY), to: new Date(now.getTime() - DAY) },
    },
    { id: "7d", label: "Last 7 days", comparedWith: "vs. previous 7 days", ...rolling(7) },
    { id: "30d", label: "Last 30 days", comparedWith: "vs. previous 30 days", ...rolling(30) },
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
