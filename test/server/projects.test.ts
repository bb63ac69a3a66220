// Projects as objects (issue 21): created, listed and renamed through /v1/projects and the CLI, with an
// immutable slug; API keys bound to one project or to every project; and an admin key bound to a
// project managing that project's keys and nothing else.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine, serverUrl } from "../support/databases.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "projects-test-admin-key-0123456789";

interface KeyAnswer {
  key: string;
  info: { id: string; name: string; prefix: string; scopes: string[]; project: string | null };
}

describeEachEngine("projects and project-bound keys", (context) => {
  let server: RunningServer;

  const call = async (path: string, key: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const post = (path: string, key: string, body: unknown) =>
    call(path, key, { method: "POST", body: JSON.stringify(body) });
  const patch = (path: string, key: string, body: unknown) =>
    call(path, key, { method: "PATCH", body: JSON.stringify(body) });
  const createKey = async (key: string, body: Record<string, unknown>) => {
    const answer = await post("/v1/admin/keys", key, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as unknown as KeyAnswer;
  };
  const slugs = (body: Record<string, unknown>) =>
    (body.projects as Array<{ slug: string }>).map((project) => project.slug);

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("creates, lists and renames projects; the slug never changes", async () => {
    expect(slugs((await call("/v1/projects", adminKey)).body)).toEqual(["default"]);
    const created = await post("/v1/projects", adminKey, { slug: "alpha", name: "Team Alpha" });
    expect(created.status).toBe(201);
    expect(created.body.project).toMatchObject({ slug: "alpha", name: "Team Alpha" });
    expect(await post("/v1/projects", adminKey, { slug: "alpha", name: "again" })).toEqual({
      status: 409,
      body: { error: { code: "E_PROJECT_EXISTS", message: "project 'alpha' exists already" } },
    });
    const renamed = await patch("/v1/projects/alpha", adminKey, { name: "Alpha Squad" });
    expect(renamed).toMatchObject({ status: 200, body: { project: { slug: "alpha", name: "Alpha Squad" } } });
    expect(await patch("/v1/projects/alpha", adminKey, { slug: "omega", name: "x" })).toMatchObject({
      status: 400,
      body: { error: { code: "E_BODY" } },
    });
    expect(await patch("/v1/projects/nope", adminKey, { name: "x" })).toMatchObject({
      status: 404,
      body: { error: { code: "E_NOT_FOUND" } },
    });
    expect(await post("/v1/projects", adminKey, { slug: "bare" })).toMatchObject({
      status: 201,
      body: { project: { slug: "bare", name: "bare" } },
    });
    expect(await post("/v1/projects", adminKey, { slug: "named", name: " " })).toMatchObject({
      status: 400,
      body: { error: { code: "E_PROJECT_NAME" } },
    });
    expect(slugs((await call("/v1/projects", adminKey)).body)).toEqual(["alpha", "bare", "default"]);
  });

  it("refuses every slug that is not lower-case letters, digits, '-' and '_' with E_PROJECT_SLUG", async () => {
    const slugsTried = [
      // (a hostile value may happen to be plain letters: a valid slug, left out)
      ...hostileValues(seededRandom(2121), 30).filter((value) => !/^[a-z0-9][a-z0-9_-]*$/.test(value)),
      "",
      "Alpha",
      "-alpha",
      "a".repeat(64),
      "al pha",
      "alpha/beta",
      "ümlaut",
    ];
    for (const slug of slugsTried) {
      const answer = await post("/v1/projects", adminKey, { slug, name: "x" });
      expect(answer.status, JSON.stringify(slug)).toBe(400);
      expect((answer.body.error as { code: string }).code, JSON.stringify(slug)).toBe("E_PROJECT_SLUG");
    }
    expect(await post("/v1/projects", adminKey, { slug: 7 })).toMatchObject({ status: 400 });
  });

  it("binds keys to a project, to every project, or by default (admin: every project; others: default)", async () => {
    await post("/v1/projects", adminKey, { slug: "keyed", name: "Keyed" });
    expect((await createKey(adminKey, { name: "r", scopes: ["read"], project: "keyed" })).info.project).toBe(
      "keyed",
    );
    expect((await createKey(adminKey, { name: "r", scopes: ["read"], project: null })).info.project).toBe(
      null,
    );
    expect((await createKey(adminKey, { name: "r", scopes: ["read"] })).info.project).toBe("default");
    expect((await createKey(adminKey, { name: "a", scopes: ["admin"] })).info.project).toBe(null);
    expect(await post("/v1/admin/keys", adminKey, { name: "r", scopes: ["read"], project: "nope" })).toEqual({
      status: 400,
      body: { error: { code: "E_PROJECT_UNKNOWN", message: "no project 'nope'" } },
    });
    expect(await post("/v1/admin/keys", adminKey, { name: "r", scopes: ["read"], project: 3 })).toMatchObject(
      {
        status: 400,
        body: { error: { code: "E_BODY" } },
      },
    );
  });

  it("lets a project's admin key manage that project's keys and nothing else", async () => {
    await post("/v1/projects", adminKey, { slug: "own", name: "Own" });
    await post("/v1/projects", adminKey, { slug: "other", name: "Other" });
    const ownAdmin = (await createKey(adminKey, { name: "own admin", scopes: ["admin"], project: "own" }))
      .key;
    const otherReader = await createKey(adminKey, {
      name: "other reader",
      scopes: ["read"],
      project: "other",
    });

    expect(slugs((await call("/v1/projects", ownAdmin)).body)).toEqual(["own"]);
    expect(await post("/v1/projects", ownAdmin, { slug: "mine", name: "x" })).toMatchObject({
      status: 403,
      body: { error: { code: "E_PROJECT_SCOPE" } },
    });
    expect(await patch("/v1/projects/own", ownAdmin, { name: "x" })).toMatchObject({
      status: 403,
      body: { error: { code: "E_PROJECT_SCOPE" } },
    });
    // Its keys are its project's, whatever it asks; another project or every project is refused.
    const made = await createKey(ownAdmin, { name: "own reader", scopes: ["read"] });
    expect(made.info.project).toBe("own");
    expect((await createKey(ownAdmin, { name: "own admin 2", scopes: ["admin"] })).info.project).toBe("own");
    for (const project of ["other", null, "nope"]) {
      expect(await post("/v1/admin/keys", ownAdmin, { name: "x", scopes: ["read"], project })).toMatchObject({
        status: 403,
        body: { error: { code: "E_PROJECT_SCOPE" } },
      });
    }
    const listed = (await call("/v1/admin/keys", ownAdmin)).body.keys as KeyAnswer["info"][];
    expect(new Set(listed.map((key) => key.project))).toEqual(new Set(["own"]));
    expect(listed.map((key) => key.name)).not.toContain("other reader");
    // Another project's key is "no such key", exactly as one that does not exist, and stays valid.
    const missing = await call("/v1/admin/keys/999999", ownAdmin, { method: "DELETE" });
    for (const target of [otherReader.info.id, otherReader.info.prefix]) {
      expect(await call(`/v1/admin/keys/${target}`, ownAdmin, { method: "DELETE" })).toEqual(missing);
    }
    expect(missing.status).toBe(404);
    expect((await call("/v1/projects", otherReader.key)).body).toMatchObject({
      projects: [{ slug: "other" }],
    });
    expect((await call(`/v1/admin/keys/${made.info.id}`, ownAdmin, { method: "DELETE" })).status).toBe(200);
    expect((await call("/v1/projects", made.key)).status).toBe(401);
  });

  it("answers GET /v1/projects to a key of any scope with what it can see", async () => {
    const ingest = (await createKey(adminKey, { name: "i", scopes: ["ingest"], project: "alpha" })).key;
    expect((await call("/v1/projects", ingest)).body).toEqual({
      projects: [{ slug: "alpha", name: "Alpha Squad", createdAt: expect.any(String) as unknown }],
    });
    expect((await call("/v1/projects", "llk_" + "x".repeat(43))).status).toBe(401);
  });

  it("creates, lists and renames projects and creates bound keys through the CLI (--url)", async () => {
    const env = { LLM_LEDGER_ADMIN_KEY: adminKey };
    const target = ["--url", server.url];
    const created = await runLedger(["projects", "create", "cli-team", "--name", "CLI Team", ...target], {
      env,
    });
    expect(created).toMatchObject({ exitCode: 0, stdout: "created project cli-team 'CLI Team'\n" });
    const renamed = await runLedger(["projects", "rename", "cli-team", "--name", "CLI Crew", ...target], {
      env,
    });
    expect(renamed).toMatchObject({ exitCode: 0, stdout: "renamed project cli-team 'CLI Crew'\n" });
    const listed = await runLedger(["projects", "list", "--json", ...target], { env });
    expect(JSON.parse(listed.stdout)).toContainEqual(
      expect.objectContaining({ slug: "cli-team", name: "CLI Crew" }),
    );
    const again = await runLedger(["projects", "create", "cli-team", ...target], { env });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain("project 'cli-team' exists already");
    const unknown = await runLedger(["projects", "rename", "nope", "--name", "x", ...target], { env });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("no project 'nope'");

    const keyOf = async (flags: string[]) => {
      const run = await runLedger(["keys", "create", "--name", "k", "--json", ...flags, ...target], { env });
      expect(run.exitCode, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as KeyAnswer).info.project;
    };
    expect(await keyOf(["--scopes", "read", "--project", "cli-team"])).toBe("cli-team");
    expect(await keyOf(["--scopes", "read", "--all-projects"])).toBe(null);
    expect(await keyOf(["--scopes", "read"])).toBe("default");
    expect(await keyOf(["--scopes", "admin"])).toBe(null);
    const both = await runLedger(
      ["keys", "create", "--name", "k", "--scopes", "read", "--project", "a", "--all-projects", ...target],
      { env },
    );
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("give --project or --all-projects, not both");
    const table = await runLedger(["keys", "list", ...target], { env });
    expect(table.stdout).toContain("cli-team");
  });

  it.runIf(context.engine === "postgres" && serverUrl)("works directly on the database too", async () => {
    const target = ["--database-url", serverUrl!, "--schema", context.schema];
    expect((await runLedger(["projects", "create", "direct", "--name", "Direct", ...target])).stdout).toBe(
      "created project direct 'Direct'\n",
    );
    const key = await runLedger([
      "keys",
      "create",
      "--name",
      "d",
      "--scopes",
      "read",
      "--project",
      "direct",
      "--json",
      ...target,
    ]);
    expect((JSON.parse(key.stdout) as KeyAnswer).info.project).toBe("direct");
    const listed = await runLedger(["projects", "list", "--format", "csv", ...target]);
    expect(listed.stdout).toContain("direct,Direct,");
  });
});
