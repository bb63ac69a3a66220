import { randomBytes } from "node:crypto";
import type { Principal } from "./api-keys.js";

/** Dashboard sessions: a random token in an HttpOnly cookie, mapped in memory to the read key's principal. */
export interface SessionStore {
  create(principal: Principal): { token: string; maxAgeSeconds: number };
  get(token: string): Principal | undefined;
  delete(token: string): void;
  /** Ends every session signed in with the key `keyId` (the key was revoked). */
  endForKey(keyId: string): void;
  /** Sessions currently held (bounded by `maxSessions`). */
  readonly size: number;
}

export const sessionCookieName = "llm_ledger_session";

interface Session {
  principal: Principal;
  expiresAt: number;
}

/**
 * Sessions live `ttlMs` (12 h) at most. All have the same lifetime, so the map's insertion order is
 * their expiry order: creating one drops the expired ones from the front (amortised O(1), never a
 * scan of every session), and beyond `maxSessions` the oldest is ended.
 */
export function createSessionStore(
  options: { ttlMs?: number; maxSessions?: number; now?: () => number } = {},
): SessionStore {
  const ttlMs = options.ttlMs ?? 12 * 60 * 60 * 1000;
  const maxSessions = options.maxSessions ?? 100_000;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();
  const tokensByKey = new Map<string, Set<string>>();

  const remove = (token: string) => {
    const session = sessions.get(token);
    if (!session) return;
    sessions.delete(token);
    const tokens = tokensByKey.get(session.principal.keyId);
    tokens?.delete(token);
    if (tokens?.size === 0) tokensByKey.delete(session.principal.keyId);
  };

  return {
    create(principal) {
      for (const [token, session] of sessions) {
        if (session.expiresAt > now() && sessions.size < maxSessions) break;
        remove(token);
      }
      const token = randomBytes(32).toString("base64url");
      sessions.set(token, { principal, expiresAt: now() + ttlMs });
      const tokens = tokensByKey.get(principal.keyId) ?? new Set<string>();
      tokens.add(token);
      tokensByKey.set(principal.keyId, tokens);
      return { token, maxAgeSeconds: Math.floor(ttlMs / 1000) };
    },
    get(token) {
      const session = sessions.get(token);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        remove(token);
        return undefined;
      }
      return session.principal;
    },
    delete: remove,
    endForKey(keyId) {
      for (const token of tokensByKey.get(keyId) ?? []) remove(token);
    },
    get size() {
      return sessions.size;
    },
  };
}
