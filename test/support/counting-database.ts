import type { Database } from "../../src/store/database.js";

/**
 * A database that counts what is sent through it: `calls`, the round trips its caller makes (a
 * query, a script or a whole transaction each count one); `statements`, every query and script,
 * those inside transactions too; `transactions`.
 */
export function countingDatabase(database: Database): {
  database: Database;
  calls: () => number;
  statements: () => number;
  transactions: () => number;
} {
  let calls = 0;
  let statements = 0;
  let transactions = 0;
  const wrap = (target: Database, outermost: boolean): Database =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== "function") return value;
        if (property === "transaction") {
          return (work: (transaction: Database) => Promise<unknown>) => {
            transactions++;
            if (outermost) calls++;
            return (value as Database["transaction"]).call(object, (transaction) =>
              work(wrap(transaction as Database, false)),
            );
          };
        }
        if (property !== "query" && property !== "exec") return value;
        return (...args: unknown[]) => {
          statements++;
          if (outermost) calls++;
          return (value as (...parameters: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  return {
    database: wrap(database, true),
    calls: () => calls,
    statements: () => statements,
    transactions: () => transactions,
  };
}
