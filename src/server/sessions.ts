import { randomBytes } from "node:crypto";
import type { Principal } from "./api-keys.js";

/** Dashboard sessions: a random token in an HttpOnly cookie, mapped in memory to the read key's principal. */
export interface SessionStore {
  create(principal: Principal): { token: string; maxAgeSeconds: number };
  get(token: string): Principal | undefined;
  delete(token: string): void;
}

export const sessionCookieName = "llm_ledger_session";

export function createSessionStore(options: { ttlMs?: number; now?: () => number } = {}): SessionStore {
  const ttlMs = options.ttlMs ?? 12 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, { principal: Principal; expiresAt: number }>();
  return {
    create(principal) {
      for (const [token, session] of sessions) if (session.expiresAt <= now()) sessions.delete(token);
      const token = randomBytes(32).toString("base64url");
      sessions.set(token, { principal, expiresAt: now() + ttlMs });
      return { token, maxAgeSeconds: Math.floor(ttlMs / 1000) };
    },
    get(token) {
      const session = sessions.get(token);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(token);
        return undefined;
      }
      return session.principal;
    },
    delete(token) {
      sessions.delete(token);
    },
  };
}
