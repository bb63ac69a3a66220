import { accessSync, constants } from "node:fs";
import path from "node:path";

/**
 * How to type the CLI where the user stands, for the hints we print (`… keys create --url …`).
 *
 * - Started through npm (`npm start`, `npx llm-ledger`, `npm exec`; npm sets `npm_execpath`):
 *   `npx llm-ledger`. In a clone or a project that installed the package locally, `llm-ledger` alone
 *   is "command not found", and `npx` finds the local (or the clone's own) bin.
 * - Otherwise, when an executable `llm-ledger` is on PATH (a global install): `llm-ledger`.
 * - Otherwise (e.g. `node dist/cli/main.js serve`): `npx llm-ledger`.
 *
 * npm puts `node_modules/.bin` on PATH for the processes it starts, so PATH alone would wrongly say
 * `llm-ledger` under `npm start`: hence the npm check first.
 */
export function cliInvocation(env: Readonly<Record<string, string | undefined>>): string {
  if (env.npm_execpath) return "npx llm-ledger";
  return onPath("llm-ledger", env.PATH ?? "") ? "llm-ledger" : "npx llm-ledger";
}

function onPath(name: string, searchPath: string): boolean {
  for (const directory of searchPath.split(path.delimiter)) {
    if (directory === "") continue;
    try {
      accessSync(path.join(directory, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}
