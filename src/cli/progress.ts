import type { CliIo } from "./command.js";

export interface Progress {
  /** Reports `done` of `total` (total may be unknown). */
  update(done: number, total?: number): void;
  finish(): void;
}

/** Progress on a terminal (stderr), nothing when piped, so scripts get clean output. */
export function createProgress(io: CliIo, label: string): Progress {
  if (!io.stderr.isTTY) return { update() {}, finish() {} };
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const share = total ? ` (${Math.floor((done / total) * 100)}%)` : "";
      io.stderr.write(
        `\r${label}: ${done.toLocaleString("en-US")}${total ? ` of ${total.toLocaleString("en-US")}` : ""}${share}`,
      );
    },
    finish() {
      if (last !== 0) io.stderr.write("\n");
    },
  };
}
