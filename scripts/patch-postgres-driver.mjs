// Guards postgres.js 3.4.x against a crash on a dropped connection (upstream issues porsager/postgres
// #1154 and #1208, fixes proposed in #1168/#1176/#1209, none released as of 3.4.9): a buffered write
// can run after the socket was closed and throws an uncaught TypeError from a timer, taking the whole
// process down — exactly during the database outages the tracker must survive. Our guard settles the
// pending queries with CONNECTION_CLOSED instead, so they fail (and are retried or spooled) normally.
// Run by `prepare` after `npm ci`; idempotent; a no-op once upstream's code no longer matches.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const marker = "/* llm-ledger: guard against a closed socket */";
const unguarded = "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)";
const guarded = `  function nextWrite(fn) {
    ${marker}
    if (socket === null) {
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options, null))
      return false
    }
    const x = socket.write(chunk, fn)`;

let root;
try {
  // The package's exports hide package.json: resolve its entry and walk up to the package root.
  root = path.dirname(createRequire(import.meta.url).resolve("postgres"));
  const isPackageRoot = (directory) =>
    existsSync(path.join(directory, "package.json")) &&
    JSON.parse(readFileSync(path.join(directory, "package.json"), "utf8")).name === "postgres";
  while (!isPackageRoot(root)) {
    if (path.dirname(root) === root) throw new Error("postgres package root not found");
    root = path.dirname(root);
  }
} catch {
  console.log("patch-postgres-driver: postgres is not installed; nothing to do");
  process.exit(0);
}
for (const file of ["src/connection.js", "cjs/src/connection.js", "cf/src/connection.js"]) {
  const full = path.join(root, file);
  if (!existsSync(full)) continue;
  const source = readFileSync(full, "utf8");
  if (source.includes(marker)) continue;
  if (!source.includes(unguarded)) {
    console.log(
      `patch-postgres-driver: ${file} has changed upstream; not patched (check whether the fix was released)`,
    );
    continue;
  }
  writeFileSync(full, source.replace(unguarded, guarded));
  console.log(`patch-postgres-driver: guarded nextWrite in postgres/${file}`);
}
