// Every error code has exactly one HTTP status, in one table, and the service answers each family of
// codes as it always has: the request's faults with their code and message, database outages as a
// bare 503 with Retry-After, and everything else as a 500 that says nothing of the server's insides.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, expectTypeOf, it } from "vitest";
import { LedgerError, type LedgerErrorCode } from "../../src/errors.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { createApp, type LedgerApp } from "../../src/server/app.js";
import { errorStatuses, isClientErrorCode, type HttpErrorCode } from "../../src/server/error-statuses.js";
import { HttpError, parseClientInput } from "../../src/server/http-errors.js";
import type { ServerLogger } from "../../src/server/server-logger.js";
import { createTelemetryStore } from "../../src/store/index.js";
import { describeEachEngine } from "../support/databases.js";

const silent: ServerLogger = { info() {}, warn() {}, error() {} };
const codes = Object.keys(errorStatuses) as LedgerErrorCode[];
const withStatus = (status: number) => codes.filter((code) => errorStatuses[code] === status);

/** Every `"E_…"` literal in src/ (prefixes such as `"E_QUERY_"` end in `_` and are left out). */
function codesSpelledInSource(): Set<string> {
  const root = fileURLToPath(new URL("../../src/", import.meta.url));
  const found = new Set<string>();
  const visit = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith(".ts")) {
        for (const match of readFileSync(full, "utf8").matchAll(/"(E_[A-Z0-9_]*[A-Z0-9])"/g))
          found.add(match[1]!);
      }
    }
  };
  visit(root);
  return found;
}

it("gives every code of the union a status, and knows no code the union lacks", () => {
  expectTypeOf<keyof typeof errorStatuses>().toEqualTypeOf<LedgerErrorCode>();
  for (const code of codes)
    expect([400, 401, 403, 404, 409, 413, 415, 429, 500, 503], code).toContain(errorStatuses[code]);
});

it("has a status for every code spelled in src/, and no code that src/ never raises", () => {
  const spelled = codesSpelledInSource();
  expect([...spelled].filter((code) => !(code in errorStatuses))).toEqual([]);
  expect(codes.filter((code) => !spelled.has(code))).toEqual([]);
});

it("answers 503 for every database code and the deadline, and nothing else", () => {
  expect(withStatus(503).sort()).toEqual(
    [...codes.filter((code) => code.startsWith("E_DB_")), "E_TIMEOUT"].sort(),
  );
});

describeEachEngine("the HTTP answer of each family of codes", (context) => {
  let app: LedgerApp;
  /** What the probe route throws next. */
  let failure: () => unknown;

  beforeAll(async () => {
    const store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    app = createApp({
      keys: createApiKeyStore({ database: store.database, schema: store.schema }),
      logger: silent,
      routes: [
        (parent) => {
          parent.get("/probe", () => {
            throw failure();
          });
          parent.get("/probe/client-input", () =>
            parseClientInput(() => {
              throw failure();
            }),
          );
        },
      ],
    });
  });

  const answer = async (path: string, error: unknown) => {
    failure = () => error;
    const response = await app.request(path);
    return {
      status: response.status,
      body: await response.json(),
      retryAfter: response.headers.get("retry-after"),
    };
  };

  it("answers an HttpError with its code's status, code and message", async () => {
    for (const code of codes.filter((each) => errorStatuses[each] !== 500) as HttpErrorCode[]) {
      const answered = await answer("/probe", new HttpError(code, `about ${code}`));
      expect(answered.status, code).toBe(errorStatuses[code]);
      expect(answered.body).toEqual({ error: { code, message: `about ${code}` } });
      expect(answered.retryAfter).toBe(errorStatuses[code] === 503 ? "5" : null);
    }
  });

  it("answers a client-input error with its status and message, and the same error elsewhere as a 500", async () => {
    for (const code of codes.filter(isClientErrorCode)) {
      const parsed = await answer("/probe/client-input", new LedgerError(code, `bad ${code}`));
      expect(parsed.status, code).toBe(errorStatuses[code]);
      expect(parsed.body).toEqual({ error: { code, message: `bad ${code}` } });
      const unparsed = await answer("/probe", new LedgerError(code, `bad ${code}`));
      expect(unparsed.status, code).toBe(500);
      expect(unparsed.body).toEqual({ error: { code: "E_INTERNAL", message: "internal error" } });
    }
  });

  it("answers a database code, thrown or as a cause, as a bare 503 with Retry-After", async () => {
    for (const code of withStatus(503).filter((each) => each !== "E_TIMEOUT")) {
      const secret = `postgres://ledger:hunter2@db.internal:5432 ${code}`;
      for (const [path, error] of [
        ["/probe", new LedgerError(code, secret)],
        ["/probe/client-input", new LedgerError(code, secret)],
        ["/probe", new Error("query failed", { cause: new LedgerError(code, secret) })],
      ] as const) {
        const answered = await answer(path, error);
        expect(answered.status, `${code} ${path}`).toBe(503);
        expect(answered.body).toEqual({
          error: { code: "E_DB_UNAVAILABLE", message: "the database is unavailable; try again later" },
        });
        expect(answered.retryAfter).toBe("5");
      }
    }
    const refused = await answer(
      "/probe",
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    );
    expect(refused.status).toBe(503);
  });

  it("answers the server's own faults as a 500 that names nothing, inside client-input parsing or not", async () => {
    for (const code of withStatus(500)) {
      for (const path of ["/probe", "/probe/client-input"]) {
        const answered = await answer(path, new LedgerError(code, "/etc/llm-ledger/secret.json is broken"));
        expect(answered.status, `${code} ${path}`).toBe(500);
        expect(answered.body).toEqual({ error: { code: "E_INTERNAL", message: "internal error" } });
      }
    }
    expect((await answer("/probe", new TypeError("x is undefined"))).status).toBe(500);
  });
});
