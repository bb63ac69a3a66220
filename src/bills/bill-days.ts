// Bills are kept by UTC day: a provider's daily bucket starts at a UTC midnight.

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
