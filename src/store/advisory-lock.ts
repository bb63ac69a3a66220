// Transaction-scoped advisory locks keyed by (namespace, schema): each concern has a namespace of its
// own, so migrators and the rollups' day closing of one schema never wait for each other.

/** Who takes the lock: migrations of a schema, or the closing of rollup days (writers share it). */
export const lockNamespaces = {
  migrations: 0x4c4c4d, // "LLM"
  rollupDays: 0x4c4c4e,
} as const;

/** The lock's arguments for `pg_advisory_xact_lock($1::int, $2::int)` and its shared variant. */
export function advisoryLockKey(namespace: keyof typeof lockNamespaces, schema: string): [number, number] {
  return [lockNamespaces[namespace], hash32(schema)];
}

/** FNV-1a over the schema name: a stable 32-bit key, whatever process computes it. */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
