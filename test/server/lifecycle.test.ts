// The service as a real process: `npm start` serves, SIGTERM while a POST is in flight ends it cleanly,
// and after a restart every acknowledged event exists.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const adminKey = "lifecycle-test-admin-key-0123456789";
const homes: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  // A failed test must not leave a server behind holding its database.
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `command` and waits for the line that prints the URL. */
function start(command: string, args: string[], home: string): Promise<Started> {
  const child = spawn(command, args, {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? "", LLM_LEDGER_HOME: home, LLM_LEDGER_ADMIN_KEY: adminKey },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: stopping it signals the whole group, as a terminal's Ctrl-C does, so
    // the server under `npm start` gets the signal itself.
    detached: true,
  });
  children.push(child);
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url, output: () => output, exited });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
}

const startSource = (home: string) =>
  start(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), "src/cli/main.ts", "serve", "--port", "0"],
    home,
  );

async function createKey(url: string, scopes: string[]): Promise<string> {
  const response = await fetch(`${url}/v1/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ name: "lifecycle", scopes }),
  });
  return ((await response.json()) as { key: string }).key;
}

const event = () => ({
  eventId: randomUUID(),
  repo: "acme/api",
  taskType: "review",
  model: "gpt-4o-mini",
  inputTokens: 1000,
  outputTokens: 10,
});

describe("the service process", () => {
  it.skipIf(!existsSync("dist/cli/main.js") && process.env.CI !== "true")(
    "`npm start` serves /healthz in a fresh home on a free port",
    async () => {
      const home = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-npm-start-"));
      homes.push(home);
      const server = await start("npm", ["start", "--silent", "--", "--port", "0"], home);
      try {
        expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: "ok" });
        expect(server.output()).toContain(`database: pglite:${path.join(home, "db")}`);
      } finally {
        process.kill(-server.child.pid!, "SIGTERM");
        await server.exited;
      }
      // npm may exit at the signal before the server under it has finished stopping.
      await expect.poll(() => server.output(), { timeout: 20_000 }).toMatch(/^\d\d:\d\d:\d\d stopped$/m);
    },
  );

  it("finishes a POST in flight on SIGTERM, closes cleanly, and keeps every acknowledged event across a restart", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-lifecycle-"));
    homes.push(home);
    const first = await startSource(home);
    const key = await createKey(first.url, ["ingest", "read"]);

    const acknowledged = Array.from({ length: 3 }, () => Array.from({ length: 200 }, event));
    for (const batch of acknowledged.slice(0, 2)) {
      const response = await fetch(`${first.url}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ events: batch }),
      });
      expect(response.status).toBe(200);
    }
    // The third POST sends half its body, then the server is told to stop, then the rest follows.
    const body = new TextEncoder().encode(JSON.stringify({ events: acknowledged[2] }));
    let sendRest: () => void = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body.slice(0, body.length / 2));
        sendRest = () => {
          controller.enqueue(body.slice(body.length / 2));
          controller.close();
        };
      },
    });
    const inFlight = fetch(`${first.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    sendRest();
    const response = await inFlight;
    expect(response.status, first.output()).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 200 });
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("stopped");

    const second = await startSource(home);
    try {
      let stored = 0;
      let cursor: string | null = null;
      do {
        const page = (await (
          await fetch(
            `${second.url}/v1/events?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
            {
              headers: { authorization: `Bearer ${key}` },
            },
          )
        ).json()) as { events: Array<{ eventId: string }>; nextCursor: string | null };
        stored += page.events.length;
        cursor = page.nextCursor;
      } while (cursor);
      expect(stored).toBe(600);
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }
  });
});
