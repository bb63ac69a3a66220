// The budget routes over a real HTTP server: admin writes, read reads, precise 4xx answers.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Budget, BudgetStatus } from "../../src/budgets/index.js";
import { createProjectStore } from "../../src/projects/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "budget-routes-test-admin-key-0123456789";

/** Every shape the routes answer, as one type: each test reads the fields its route sends. */
interface Answer {
  budget: Budget;
  deleted: Budget;
  at: string;
  budgets: BudgetStatus[];
  error: { code: string; message: string };
}

describeEachEngine("budget routes", (context) => {
  let server: RunningServer;
  let readKey = "";
  let ingestKey = "";
  const boundKeys: Record<"read" | "admin", string> = { read: "", admin: "" };

  const call = async (method: string, path: string, key: string | undefined, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: key ? { authorization: `Bearer ${key}` } : {},
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    // A key of every project reads every budget, the organization's too.
    readKey = await createKeyVia(server.url, adminKey, { name: "reader", scopes: ["read"], project: null });
    boundKeys.read = await createKeyVia(server.url, adminKey, { name: "bound reader", scopes: ["read"] });
    boundKeys.admin = await createKeyVia(server.url, adminKey, {
      name: "bound admin",
      scopes: ["admin"],
      project: "default",
    });
    ingestKey = await createKeyVia(server.url, adminKey, { name: "ingest", scopes: ["ingest"] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("gives a key bound to a project that project's budgets only, and the organization's to no one else", async () => {
    const organization = await call("POST", "/v1/budgets", adminKey, {
      name: "organization-wide",
      period: "day",
      amountUsd: "5",
    });
    expect(organization.body.budget).toMatchObject({ project: null, scope: {} });
    // A project's admin creates its project's budgets: the project is implied and always in the scope.
    const own = await call("POST", "/v1/budgets", boundKeys.admin, {
      name: "organization-wide",
      period: "day",
      amountUsd: "7",
      scope: { repo: ["api"] },
    });
    expect(own.status).toBe(201);
    expect(own.body.budget).toMatchObject({
      project: "default",
      scope: { repo: ["api"], project: ["default"] },
    });
    for (const project of [null, "other"]) {
      const refused = await call("POST", "/v1/budgets", boundKeys.admin, {
        name: "elsewhere",
        period: "day",
        amountUsd: "5",
        project,
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("E_PROJECT_SCOPE");
    }
    const widened = await call("PATCH", `/v1/budgets/${own.body.budget.id}`, boundKeys.admin, {
      scope: { project: ["other"] },
    });
    expect(widened.status).toBe(400);
    expect(widened.body.error.message).toMatch(/^scope\.project: a budget of project "default"/);
    const moved = await call("PATCH", `/v1/budgets/${own.body.budget.id}`, boundKeys.admin, {
      project: null,
    });
    expect(moved.body.error.message).toMatch(/^project: a budget's project does not change/);

    for (const key of [boundKeys.read, boundKeys.admin]) {
      const listed = await call("GET", "/v1/budgets", key);
      expect(listed.body as unknown).toEqual({ budgets: [own.body.budget] });
      const statuses = await call("GET", "/v1/budget-status", key);
      expect(statuses.body.budgets.map((status) => status.budget.id)).toEqual([own.body.budget.id]);
    }
    // The organization's budget is answered as a missing one, byte for byte, to every route.
    const hiddenId = organization.body.budget.id;
    for (const [method, suffix, body] of [
      ["GET", "", undefined],
      ["GET", "/status", undefined],
      ["PATCH", "", { amountUsd: "1" }],
      ["DELETE", "", undefined],
    ] as const) {
      const hidden = await call(method, `/v1/budgets/${hiddenId}${suffix}`, boundKeys.admin, body);
      const missing = await call(method, `/v1/budgets/999999${suffix}`, boundKeys.admin, body);
      expect(hidden, `${method} ${suffix}`).toEqual(missing);
      expect(hidden.status).toBe(404);
    }
    // A name two owners use is each one's own to its project's key, and ambiguous to a key of every project.
    expect((await call("GET", "/v1/budgets/organization-wide", boundKeys.read)).body.budget.id).toBe(
      own.body.budget.id,
    );
    const ambiguous = await call("GET", "/v1/budgets/organization-wide", readKey);
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.message).toMatch(/name it by id/);
    expect((await call("GET", "/v1/budgets", readKey)).body.budgets).toHaveLength(2);
    for (const id of [hiddenId, own.body.budget.id]) {
      expect((await call("DELETE", `/v1/budgets/${id}`, adminKey)).status).toBe(200);
    }
  });

  it("answers ?project= with that project's budgets, and a bound key naming another project with none", async () => {
    await createProjectStore({ database: context.database(), schema: context.schema }).create({
      slug: "alpha",
    });
    const spec = (name: string, project: string | null) => ({ name, period: "day", amountUsd: "5", project });
    const alpha = (await call("POST", "/v1/budgets", adminKey, spec("alpha-daily", "alpha"))).body.budget;
    const own = (await call("POST", "/v1/budgets", adminKey, spec("default-daily", "default"))).body.budget;
    const organization = (await call("POST", "/v1/budgets", adminKey, spec("org-daily", null))).body.budget;
    const ids = (answer: { body: Answer }) =>
      (answer.body.budgets as Array<BudgetStatus | Budget>).map((entry) =>
        "budget" in entry ? entry.budget.id : entry.id,
      );
    for (const path of ["/v1/budgets", "/v1/budget-status"]) {
      // A key of every project: the project named, or everything without a name (or with an empty one).
      expect(ids(await call("GET", `${path}?project=alpha`, readKey))).toEqual([alpha.id]);
      expect(ids(await call("GET", `${path}?project=default`, readKey))).toEqual([own.id]);
      expect(ids(await call("GET", `${path}?project=`, readKey)).sort()).toEqual(
        [alpha.id, own.id, organization.id].sort(),
      );
      // A key bound to default: its own project, and nothing of another one, existing or not.
      expect(ids(await call("GET", `${path}?project=default`, boundKeys.read))).toEqual([own.id]);
      const other = await call("GET", `${path}?project=alpha`, boundKeys.read);
      const missing = await call("GET", `${path}?project=no-such-project`, boundKeys.read);
      expect(other.status).toBe(200);
      expect(ids(other)).toEqual([]);
      if (path === "/v1/budgets") expect(other).toEqual(missing);
      // Not a project slug at all: 400 naming what a slug is.
      const bad = await call("GET", `${path}?project=${encodeURIComponent("Alpha Team\n=1+1")}`, readKey);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("E_PROJECT_SLUG");
    }
    // The status of no budget still checks its time.
    const badAt = await call("GET", "/v1/budget-status?project=alpha&at=yesterday", boundKeys.read);
    expect(badAt.status).toBe(400);
    for (const budget of [alpha, own, organization])
      await call("DELETE", `/v1/budgets/${budget.id}`, adminKey);
  });

  it("lets only admin keys write and read keys read", async () => {
    const spec = { name: "guarded", period: "day", amountUsd: "5" };
    expect((await call("POST", "/v1/budgets", undefined, spec)).status).toBe(401);
    expect((await call("POST", "/v1/budgets", readKey, spec)).status).toBe(403);
    expect((await call("GET", "/v1/budgets", ingestKey)).status).toBe(403);
    expect((await call("GET", "/v1/budget-status", undefined)).status).toBe(401);
    const created = await call("POST", "/v1/budgets", adminKey, spec);
    expect(created.status).toBe(201);
    const id = created.body.budget.id;
    expect((await call("PATCH", `/v1/budgets/${id}`, readKey, { amountUsd: "6" })).status).toBe(403);
    expect((await call("DELETE", `/v1/budgets/${id}`, readKey)).status).toBe(403);
    expect((await call("GET", `/v1/budgets/${id}`, readKey)).body.budget.name).toBe("guarded");
    expect((await call("PUT", "/v1/budgets", adminKey, spec)).status).toBe(404);
    expect((await call("DELETE", `/v1/budgets/${id}`, adminKey)).body.deleted.id).toBe(id);
  });

  it("answers a bad spec with 400 naming the field, a taken name with 409, a missing budget with 404", async () => {
    const bad = await call("POST", "/v1/budgets", adminKey, { name: "x", period: "month", amountUsd: "-1" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("E_BUDGET_SPEC");
    expect(bad.body.error.message).toMatch(/^amountUsd: expected a positive amount/);
    const zone = await call("POST", "/v1/budgets", adminKey, {
      name: "x",
      period: "month",
      amountUsd: "1",
      timeZone: "Nowhere/City",
    });
    expect(zone.body.error.message).toMatch(/^timeZone: unknown time zone "Nowhere\/City"/);
    expect((await call("POST", "/v1/budgets", adminKey, "{not json")).body.error.code).toBe("E_JSON");
    const huge = await call("POST", "/v1/budgets", adminKey, { name: "x".repeat(70_000) });
    expect(huge.status).toBe(413);

    await call("POST", "/v1/budgets", adminKey, { name: "taken", period: "week", amountUsd: "1" });
    const taken = await call("POST", "/v1/budgets", adminKey, {
      name: "taken",
      period: "week",
      amountUsd: "1",
    });
    expect(taken).toEqual({
      status: 409,
      body: { error: { code: "E_BUDGET_CONFLICT", message: 'name: a budget named "taken" exists already' } },
    });
    const patch = await call("PATCH", "/v1/budgets/taken", adminKey, { thresholds: [0] });
    expect(patch.status).toBe(400);
    expect(patch.body.error.message).toMatch(
      /^thresholds: each must be a whole percentage from 1 to 1000, got 0/,
    );
    for (const [method, path] of [
      ["GET", "/v1/budgets/ghost"],
      ["PATCH", "/v1/budgets/ghost"],
      ["DELETE", "/v1/budgets/ghost"],
      ["GET", "/v1/budgets/ghost/status"],
    ] as const) {
      const answer = await call(method, path, adminKey, method === "PATCH" ? { amountUsd: "1" } : undefined);
      expect(answer, `${method} ${path}`).toEqual({
        status: 404,
        body: { error: { code: "E_NOT_FOUND", message: "no such budget" } },
      });
    }
    await call("DELETE", "/v1/budgets/taken", adminKey);
  });

  it("reports spend of events ingested through the service, for all budgets and for one", async () => {
    const posted = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify({
        events: [
          {
            repo: "acme/api",
            taskType: "review",
            model: "gpt-4o-mini",
            provider: "openai",
            inputTokens: 1_000_000,
            outputTokens: 0,
            createdAt: "2024-03-15T10:00:00Z",
          },
        ],
      }),
    });
    expect(posted.status).toBe(200);
    const created = await call("POST", "/v1/budgets", adminKey, {
      name: "api-daily",
      scope: { repo: ["acme/api"] },
      period: "day",
      amountUsd: "0.2",
    });
    const all = await call("GET", "/v1/budget-status?at=2024-03-15T12:00:00Z", readKey);
    expect(all.status).toBe(200);
    expect(all.body.at).toBe("2024-03-15T12:00:00.000Z");
    // gpt-4o-mini: $0.15 per million input tokens.
    expect(all.body.budgets).toMatchObject([
      {
        budget: { name: "api-daily" },
        spentUsd: "0.15",
        percent: 75,
        state: "warning",
        thresholdsCrossed: [50],
      },
    ]);
    const one = await call(
      "GET",
      `/v1/budgets/${created.body.budget.id}/status?at=2024-03-15T12:00:00Z`,
      readKey,
    );
    expect(one.body).toEqual(all.body.budgets[0]);
    const badAt = await call("GET", "/v1/budget-status?at=yesterday", readKey);
    expect(badAt.status).toBe(400);
    expect(badAt.body.error.message).toMatch(/^at: expected a Date or an ISO 8601 time/);
  });
});
