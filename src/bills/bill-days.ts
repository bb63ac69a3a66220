// Bills are kept by UTC day: a provider's daily bucket starts at a UTC midnight.

const DAY = 86_400_000;

/** True when `text` is a real calendar day `YYYY-MM-DD` from 2000 to 2199. */
export function isBillDay(text: string): boolean {
  if (!/^2[01]\d\d-\d\d-\d\d$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The UTC day an instant falls on, `YYYY-MM-DD`. */
export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Every UTC day from the one holding `from` up to, not including, the one holding `to` (unless `to` is inside it). */
export function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let time = start; time < to.getTime(); time += DAY) days.push(dayOf(new Date(time)));
  return days;
}
