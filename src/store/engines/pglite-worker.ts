// The worker thread that owns a PGlite instance (see pglite-worker-database.ts): it opens the
// database, runs each request, and keeps transactions open across requests until told to end them.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { pgliteQueryOptions } from "./pglite-query-options.js";
import {
  toWorkerError,
  type WorkerInit,
  type WorkerReply,
  type WorkerRequest,
  type WorkerStartup,
} from "./pglite-worker-protocol.js";

interface OpenTransaction {
  client: Transaction;
  decide: (commit: boolean) => void;
  settled: Promise<void>;
}

const port = parentPort!;
const { dataDir } = workerData as WorkerInit;
const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;

// On failure the worker says why and ends by itself once the message is out (nothing else keeps it).
const pglite = await PGlite.create(dataDir).catch((error: unknown) => {
  port.postMessage({ kind: "failed", error: toWorkerError(error) } satisfies WorkerStartup);
  port.close();
  return undefined;
});

if (pglite) {
  port.postMessage({ kind: "ready" } satisfies WorkerStartup);
  port.on("message", (request: WorkerRequest) => {
    void handle(pglite, request).then((reply) => port.postMessage(reply));
  });
}

async function handle(pglite: PGlite, request: WorkerRequest): Promise<WorkerReply> {
  try {
    switch (request.kind) {
      case "query": {
        const client = clientFor(pglite, request.tx);
        const options =
          request.copyData === undefined
            ? pgliteQueryOptions
            : { ...pgliteQueryOptions, blob: new Blob([request.copyData]) };
        const result = await client.query(request.text, request.params as unknown[], options);
        return { id: request.id, rows: result.rows };
      }
      case "exec":
        await clientFor(pglite, request.tx).exec(request.script);
        return { id: request.id, done: true };
      case "begin":
        return { id: request.id, tx: await begin(pglite) };
      case "end":
        await end(request.tx, request.commit);
        return { id: request.id, done: true };
      case "close":
        await pglite.close();
        return { id: request.id, done: true };
    }
  } catch (error) {
    return { id: request.id, error: toWorkerError(error) };
  }
}

function clientFor(pglite: PGlite, transaction: number | undefined): Pick<PGlite, "query" | "exec"> {
  if (transaction === undefined) return pglite;
  const open = transactions.get(transaction);
  if (!open) throw new Error(`transaction ${transaction} is not open`);
  return open.client;
}

/**
 * Opens a transaction that stays open until `end`: PGlite's own `transaction()` runs it (and holds
 * statements from outside it back meanwhile, as it does on one thread); its callback waits for the
 * main thread's decision.
 */
function begin(pglite: PGlite): Promise<number> {
  const id = nextTransaction++;
  return new Promise<number>((resolveBegin, rejectBegin) => {
    let decide!: (commit: boolean) => void;
    const decision = new Promise<boolean>((resolve) => (decide = resolve));
    let started = false;
    const settled = pglite.transaction(async (client) => {
      started = true;
      transactions.set(id, { client, decide, settled });
      resolveBegin(id);
      if (!(await decision)) await client.rollback();
    });
    settled.catch((error: unknown) => {
      if (!started) rejectBegin(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

async function end(id: number, commit: boolean): Promise<void> {
  const open = transactions.get(id);
  if (!open) throw new Error(`transaction ${id} is not open`);
  transactions.delete(id);
  open.decide(commit);
  await open.settled;
}
