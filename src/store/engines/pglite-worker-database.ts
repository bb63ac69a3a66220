import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { LedgerError } from "../../errors.js";
import type { Database, Queryable } from "../database.js";
import { copyFromBlob } from "./pglite-query-options.js";
import {
  fromWorkerError,
  type WorkerInit,
  type WorkerReply,
  type WorkerRequest,
  type WorkerStartup,
} from "./pglite-worker-protocol.js";

/** How long `close()` waits for PGlite to close cleanly before it stops the worker anyway. */
const defaultCloseTimeoutMs = 10_000;

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, "id"> : never) : never;

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
}

/**
 * The worker's script: the compiled `.js` beside this module or, when this module runs from its
 * TypeScript source (tests, benchmarks), a bootstrap that registers tsx and imports the `.ts` source.
 */
function workerScript(): { script: URL | string; eval: boolean } {
  if (!import.meta.url.endsWith(".ts"))
    return { script: new URL("./pglite-worker.js", import.meta.url), eval: false };
  const tsx = new URL("./esm/api/index.mjs", pathToFileURL(createRequire(import.meta.url).resolve("tsx")))
    .href;
  const source = new URL("./pglite-worker.ts", import.meta.url).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(source)}, ${JSON.stringify(import.meta.url)}))`,
    eval: true,
  };
}

/**
 * Opens PGlite in a worker thread and returns it as a `Database`. PGlite runs its WASM on the thread
 * that owns it, where a 1,000-row insert holds that thread for tens of milliseconds: in a worker,
 * the application's event loop never waits for the database, and the main thread prices and encodes
 * the next batch while the worker writes the last one. Transactions stay open in the worker between
 * requests; PGlite holds statements from outside a transaction back until it ends, as on one thread.
 *
 * The worker keeps the process alive only while a request is pending.
 */
export async function openPgliteWorker(
  dataDir: string | undefined,
  options: { description: string; onClose?: (() => void) | undefined; closeTimeoutMs?: number },
): Promise<Database> {
  const closeTimeoutMs = options.closeTimeoutMs ?? defaultCloseTimeoutMs;
  const { script, eval: evaluate } = workerScript();
  const worker = new Worker(script, { eval: evaluate, workerData: { dataDir } satisfies WorkerInit });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: Error | undefined;

  const fail = (error: Error) => {
    failure ??= error;
    for (const request of pending.values()) request.reject(failure);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    // The worker itself could not run (its script missing from a bundle, a runtime without workers):
    // the caller may open PGlite on its own thread instead. A database that fails to open says so
    // in a "failed" message below.
    const unavailable = (error: Error) => reject(Object.assign(error, { workerUnavailable: true }));
    const onError = (error: Error) => unavailable(error);
    // A worker that failed to open the database exits right after saying so: let that message win.
    const onExit = (code: number) =>
      setImmediate(() => unavailable(new Error(`the PGlite worker exited with code ${code}`)));
    worker.once("error", onError);
    worker.once("exit", onExit);
    worker.once("message", (startup: WorkerStartup) => {
      worker.off("error", onError);
      worker.off("exit", onExit);
      if (startup.kind === "ready") resolve();
      else reject(fromWorkerError(startup.error));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw Object.assign(
      new LedgerError("E_DB_OPEN", `cannot open ${options.description}: ${(error as Error).message}`, {
        cause: error,
      }),
      { workerUnavailable: (error as { workerUnavailable?: boolean }).workerUnavailable === true },
    );
  });

  worker.on("message", (reply: WorkerReply) => {
    const request = pending.get(reply.id);
    if (!request) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    request.resolve(reply);
  });
  worker.on("error", (error) => fail(error));
  worker.on("exit", (code) =>
    fail(
      new LedgerError("E_DB_WORKER", `the PGlite worker for ${options.description} exited (code ${code})`),
    ),
  );
  worker.unref();

  const send = (request: Request): Promise<WorkerReply> =>
    new Promise<WorkerReply>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      const message: WorkerRequest = { ...request, id };
      try {
        worker.postMessage(message);
      } catch (error) {
        // A parameter that cannot be cloned (a function, a symbol): the statement never ran.
        return reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
    }).then((reply) => {
      if ("error" in reply) throw fromWorkerError(reply.error);
      return reply;
    });

  const queryable = (tx: number | undefined): Queryable => ({
    async query<Row extends object>(text: string, params: readonly unknown[] = []) {
      const reply = await send({ kind: "query", text, params, tx });
      return (reply as { rows: Row[] }).rows;
    },
    async exec(script: string) {
      await send({ kind: "exec", script, tx });
    },
    async copyFrom(table: string, columns: readonly string[], data: string) {
      await send({ kind: "query", text: copyFromBlob(table, columns), params: [], copyData: data, tx });
    },
  });

  let closing: Promise<void> | undefined;
  return {
    engine: "pglite",
    description: options.description,
    onCallerThread: false,
    ...queryable(undefined),
    async transaction(work) {
      const { tx } = (await send({ kind: "begin" })) as { tx: number };
      let result;
      try {
        result = await work(queryable(tx));
      } catch (error) {
        await send({ kind: "end", tx, commit: false }).catch(() => {});
        throw error;
      }
      await send({ kind: "end", tx, commit: true });
      return result;
    },
    close() {
      closing ??= (async () => {
        try {
          // PGlite closes once no statement or transaction holds it; a transaction left open by a
          // caller that never ends it must not hold close() forever.
          if (!failure) await Promise.race([send({ kind: "close" }), delay(closeTimeoutMs)]);
        } finally {
          failure ??= new LedgerError("E_DB_CLOSED", `${options.description} is closed`);
          await worker.terminate();
          options.onClose?.();
        }
      })();
      return closing;
    },
  };
}
