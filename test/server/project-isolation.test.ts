// Project isolation (issue 21), route by route and key by key: two projects seeded with distinct repos,
// task types, models, providers, users, environments and metadata; every response body (JSON, CSV,
// HTML, metrics text) a key of one project gets is searched for the other project's values. Another
// project's event id answers exactly as an id nobody stored; the same event id sent by both projects
// is stored twice, once in each. Budgets and alert targets belong to a project: each project's budget
// counts, shows and alerts its own project only, to its own targets (a real local receiver).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signPayload, type BudgetAlertBody, type BudgetStatus } from "../../src/budgets/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { startWebhookReceiver, type WebhookReceiver } from "../budgets/support/webhook-receiver.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "project-isolation-admin-key-0123456789";
const day = 86_400_000;

/** What each project's events carry; every value appears in that project only. */
const projects = {
  acme: {
    name: "Acme Works",
    repo: "acme-repo",
    taskType: "acme-task",
    model: "gpt-4o-mini",
    provider: "openai",
    userId: "acme-user",
    environment: "acme-env",
    team: "acme-meta",
    keyName: "acme-reader",
  },
  globex: {
    name: "Globex Corp",
    repo: "globex-repo",
    taskType: "globex-task",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    userId: "globex-user",
    environment: "globex-env",
    team: "globex-meta",
    keyName: "globex-reader",
  },
};
type ProjectSlug = keyof typeof projects;
const other = (slug: ProjectSlug): ProjectSlug => (slug === "acme" ? "globex" : "acme");

/** The read requests of every route a read key can make (the dashboard's included). */
const readRequests: Array<{ path: string; accept?: string }> = [
  { path: "/v1/costs" },
  { path: "/v1/costs?groupBy=repo,taskType,model,provider,environment" },
  { path: "/v1/costs?groupBy=model&grain=day" },
  { path: "/v1/costs?groupBy=userId" },
  { path: "/v1/costs?groupBy=metadata.team" },
  { path: "/v1/costs?groupBy=project" },
  { path: "/v1/costs?groupBy=repo,project", accept: "text/csv" },
  { path: "/v1/costs?groupBy=sdk,environment&grain=hour", accept: "text/csv" },
  { path: "/v1/events?limit=1000" },
  { path: "/v1/events", accept: "text/csv" },
  { path: "/metrics" },
  { path: "/v1/projects" },
  { path: "/v1/budgets" },
  { path: "/v1/budget-status" },
  { path: "/v1/alerts" },
  { path: "/" },
  { path: "/assets/app.js" },
];
/** What only an admin key may read, checked for project admins the same way. */
const adminRequests = ["/v1/alert-targets", "/v1/admin/keys"];

describeEachEngine("project isolation in every route", (context) => {
  let server: RunningServer;
  const keys: Record<string, string> = {};
  const eventIds: Record<ProjectSlug, string[]> = { acme: [], globex: [] };
  const sharedId = randomUUID();
  let receiver: WebhookReceiver;
  /** Each project's budget id, and the organization's (null). */
  const budgetIds: Record<string, string> = {};

  const request = (key: string, path: string, init: RequestInit & { accept?: string } = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        accept: init.accept ?? "application/json",
        "content-type": "application/json",
      },
    });
  const ingest = async (key: string, events: unknown[]) => {
    const response = await request(key, "/v1/events", { method: "POST", body: JSON.stringify({ events }) });
    expect(response.status).toBe(200);
    return (await response.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
  };
  const event = (slug: ProjectSlug, createdAt: number, eventId = randomUUID()) => {
    const values = projects[slug];
    eventIds[slug].push(eventId);
    return {
      eventId,
      createdAt: new Date(createdAt).toISOString(),
      repo: values.repo,
      taskType: values.taskType,
      model: values.model,
      provider: values.provider,
      userId: values.userId,
      environment: values.environment,
      metadata: { team: values.team },
      inputTokens: slug === "acme" ? 1000 : 700_000,
      outputTokens: 100,
    };
  };
  /** Every value of `slug` that must never reach a key of the other project. */
  const markers = (slug: ProjectSlug) => {
    const values = projects[slug];
    return [slug, ...Object.values(values), ...eventIds[slug].filter((id) => id !== sharedId)];
  };
  const expectNone = (body: string, slug: ProjectSlug, label: string) => {
    for (const marker of markers(slug)) expect(body.includes(marker), `${label} shows ${marker}`).toBe(false);
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
      alerts: { intervalMs: 300, allowPrivateWebhooks: true },
    });
    for (const [slug, values] of Object.entries(projects)) {
      const created = await request(adminKey, "/v1/projects", {
        method: "POST",
        body: JSON.stringify({ slug, name: values.name }),
      });
      expect(created.status).toBe(201);
      keys[`${slug}:ingest`] = await createKeyVia(server.url, adminKey, {
        name: `${values.keyName}-ingest`,
        scopes: ["ingest"],
        project: slug,
      });
      keys[`${slug}:read`] = await createKeyVia(server.url, adminKey, {
        name: values.keyName,
        scopes: ["read"],
        project: slug,
      });
      keys[`${slug}:admin`] = await createKeyVia(server.url, adminKey, {
        name: `${values.keyName}-admin`,
        scopes: ["admin"],
        project: slug,
      });
    }
    keys.cross = await createKeyVia(server.url, adminKey, {
      name: "cross reader",
      scopes: ["read", "ingest"],
      project: null,
    });
    keys.admin = adminKey;
    // Days that are closed (rollups) and today (hourly rows), and the same id in both projects.
    const now = Date.now();
    for (const slug of ["acme", "globex"] as const) {
      const events = [0, 1, 3, 9].flatMap((days) => [
        event(slug, now - days * day),
        event(slug, now - days * day - 5000),
      ]);
      events.push(event(slug, now - 2 * day, sharedId));
      expect(await ingest(keys[`${slug}:ingest`]!, events)).toEqual({
        accepted: 9,
        duplicates: 0,
        rejected: [],
      });
    }
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it("stores the same event id sent by two projects twice, each in its project", async () => {
    for (const slug of ["acme", "globex"] as const) {
      const response = await request(keys[`${slug}:read`]!, `/v1/events/${sharedId}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ eventId: sharedId, repo: projects[slug].repo });
    }
    const again = await ingest(keys["acme:ingest"]!, [event("acme", Date.now() - 2 * day, sharedId)]);
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it("writes an ingest key's events to its project and refuses another project by name", async () => {
    const acme = keys["acme:ingest"]!;
    const named = { ...event("acme", Date.now()), project: "acme" };
    expect(await ingest(acme, [named])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const elsewhere = { ...event("acme", Date.now()), project: "globex" };
    expect(await ingest(acme, [elsewhere])).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [
        { index: 0, error: 'this key writes to project "acme" only; the event names project "globex"' },
      ],
    });
    // A key of every project writes where the event says, to a project that exists.
    const cross = keys.cross!;
    const unknown = { ...event("acme", Date.now()), project: "nope" };
    const wrongType = { ...event("acme", Date.now()), project: 7 };
    expect(await ingest(cross, [unknown, wrongType])).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [
        { index: 0, error: 'no project "nope"' },
        { index: 1, error: "project must be a project slug (a string)" },
      ],
    });
    const toAcme = { ...event("acme", Date.now()), project: "acme" };
    expect(await ingest(cross, [toAcme])).toMatchObject({ accepted: 1 });
    const costs = (await (await request(keys["acme:read"]!, "/v1/costs")).json()) as {
      totals: { events: number };
    };
    expect(costs.totals.events).toBe(11);
  });

  it("keeps budgets and alerts in their project: spend, status, targets and alert bodies", async () => {
    const json = async (key: string, path: string, init: RequestInit = {}) => {
      const response = await request(key, path, init);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const secrets: Record<string, string> = {};
    for (const [owner, key] of [
      ["acme", keys["acme:admin"]!],
      ["globex", keys["globex:admin"]!],
      ["org", keys.admin!],
    ] as const) {
      // The same receiver for all three, told apart by path: each owner's target is its own.
      const added = await json(key, "/v1/alert-targets", {
        method: "POST",
        body: JSON.stringify({ target: `webhook:${receiver.url}/${owner}` }),
      });
      expect(added.status).toBe(201);
      expect((added.body.target as { project: string | null }).project).toBe(owner === "org" ? null : owner);
      secrets[owner] = added.body.secret as string;
      // A budget that counts every event it may see, so it is past 100 % at once.
      const created = await json(key, "/v1/budgets", {
        method: "POST",
        body: JSON.stringify({
          name: `${owner}-all`,
          period: "month",
          amountUsd: "0.000001",
          thresholds: [100],
        }),
      });
      expect(created.status).toBe(201);
      budgetIds[owner] = (created.body.budget as { id: string }).id;
    }
    // A project's admin cannot create for the organization or another project, nor see others' targets.
    const elsewhere = await json(keys["acme:admin"]!, "/v1/budgets", {
      method: "POST",
      body: JSON.stringify({ name: "x", period: "day", amountUsd: "1", project: "globex" }),
    });
    expect(elsewhere.status).toBe(403);

    // One delivery per budget, each to its owner's target only.
    const deadline = Date.now() + 30_000;
    while (receiver.received.length < 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const byPath = Object.fromEntries(receiver.received.map((delivery) => [delivery.path, delivery]));
    expect(Object.keys(byPath).sort()).toEqual(["/acme", "/globex", "/org"]);
    for (const slug of ["acme", "globex"] as const) {
      const delivery = byPath[`/${slug}`]!;
      expect(delivery.headers["x-llm-ledger-signature"]).toBe(signPayload(delivery.body, secrets[slug]!));
      expectNone(delivery.body, other(slug), `${slug}'s alert`);
      const body = JSON.parse(delivery.body) as BudgetAlertBody;
      expect(body.budget.name).toBe(`${slug}-all`);
      expect(body.topContributors.model.map((entry) => entry.value)).toEqual([projects[slug].model]);
      expect(body.topContributors.repo.map((entry) => entry.value)).toEqual([projects[slug].repo]);
      // The budget's spend is exactly its project's spend in the window, nothing of the other's.
      const status = (await json(keys[`${slug}:read`]!, `/v1/budgets/${budgetIds[slug]}/status`))
        .body as unknown as BudgetStatus;
      const costs = await json(keys.cross!, `/v1/costs?project=${slug}&from=${status.periodStart}`);
      expect(status.spentUsd).toBe((costs.body.totals as { costUsd: string }).costUsd);
    }
    // The organization's budget counts every project, and alerts the organization's target.
    const organization = JSON.parse(byPath["/org"]!.body) as BudgetAlertBody;
    expect(organization.budget.name).toBe("org-all");
    expect(organization.topContributors.repo.map((entry) => entry.value).sort()).toEqual([
      projects.acme.repo,
      projects.globex.repo,
    ]);

    for (const slug of ["acme", "globex"] as const) {
      const hidden = other(slug);
      for (const role of ["read", "admin"] as const) {
        const key = keys[`${slug}:${role}`]!;
        const listed = (await json(key, "/v1/budgets")).body.budgets as Array<{ id: string }>;
        expect(listed.map((budget) => budget.id)).toEqual([budgetIds[slug]]);
        const alerts = (await json(key, "/v1/alerts")).body.alerts as Array<{ budget: string }>;
        expect(alerts.map((alert) => alert.budget)).toEqual([`${slug}-all`]);
        // Another project's budget, and the organization's, answer exactly as one nobody made.
        const missing = await request(key, "/v1/budgets/987654321/status");
        const missingBody = (await missing.text()).replace("987654321", "ID");
        for (const id of [budgetIds[hidden]!, budgetIds.org!]) {
          for (const suffix of ["", "/status"]) {
            const answer = await request(key, `/v1/budgets/${id}${suffix}`);
            expect(answer.status).toBe(404);
            expect((await answer.text()).replace(id, "ID")).toBe(missingBody);
          }
        }
      }
      const admin = keys[`${slug}:admin`]!;
      const removal = await request(
        admin,
        `/v1/alert-targets/${encodeURIComponent(`webhook:${receiver.url}/${hidden}`)}`,
        {
          method: "DELETE",
        },
      );
      expect(removal.status).toBe(404);
      const test = await json(admin, "/v1/alerts/test", {
        method: "POST",
        body: JSON.stringify({ target: `webhook:${receiver.url}/${hidden}` }),
      });
      expect(test.status).toBe(404);
    }
    // Keys of every project see every budget and every delivery.
    for (const key of [keys.cross!, keys.admin!]) {
      const names = ((await json(key, "/v1/budgets")).body.budgets as Array<{ name: string }>).map(
        (budget) => budget.name,
      );
      expect(names.sort()).toEqual(["acme-all", "globex-all", "org-all"]);
      expect(((await json(key, "/v1/alerts")).body.alerts as unknown[]).length).toBe(3);
    }
  });

  for (const slug of ["acme", "globex"] as const) {
    for (const role of ["read", "admin"] as const) {
      it(`shows a ${role} key of ${slug} nothing of the other project, in any route or format`, async () => {
        const key = keys[`${slug}:${role}`]!;
        const hidden = other(slug);
        for (const { path, accept } of readRequests) {
          const response = await request(key, path, { accept });
          const body = await response.text();
          expect(response.status, `${path}: ${body.slice(0, 200)}`).toBe(200);
          expectNone(body, hidden, `${role} key of ${slug}: ${path} (${accept ?? "json"})`);
        }
        for (const path of role === "admin" ? adminRequests : []) {
          const response = await request(key, path);
          const body = await response.text();
          expect(response.status, `${path}: ${body.slice(0, 200)}`).toBe(200);
          expectNone(body, hidden, `${role} key of ${slug}: ${path}`);
        }
        // Asking for the other project by name, or by its values, finds nothing.
        for (const filter of [
          `project=${hidden}`,
          `repo=${projects[hidden].repo}`,
          `model=${projects[hidden].model}`,
          `userId=${projects[hidden].userId}`,
          `metadata.team=${projects[hidden].team}`,
        ]) {
          const costs = (await (await request(key, `/v1/costs?${filter}`)).json()) as {
            rows: unknown[];
            totals: { events: number; costUsd: string };
          };
          expect(costs, filter).toMatchObject({ rows: [], totals: { events: 0, costUsd: "0" } });
          const page = (await (await request(key, `/v1/events?${filter}`)).json()) as { events: unknown[] };
          expect(page.events, filter).toEqual([]);
        }
        // Another project's event id is answered exactly as an id nobody stored.
        const missingId = randomUUID();
        const missing = await request(key, `/v1/events/${missingId}`);
        const missingBody = (await missing.text()).replace(missingId, "ID");
        for (const id of eventIds[hidden].filter((id) => id !== sharedId)) {
          const answer = await request(key, `/v1/events/${id}`);
          expect(answer.status).toBe(missing.status);
          expect((await answer.text()).replace(id, "ID")).toBe(missingBody);
        }
        expect(missing.status).toBe(404);
        // /metrics: its own project's series only, labelled with it.
        const metrics = await (await request(key, "/metrics")).text();
        const series = metrics.split("\n").filter((line) => /^llm_ledger_(events|spend_usd)\{/.test(line));
        expect(series.length).toBeGreaterThan(0);
        for (const line of series)
          expect(line).toContain(`{project="${slug}",provider="${projects[slug].provider}"}`);
        // Its own project's figures are the whole of what a key of every project sees for it.
        const own = await (await request(key, "/v1/costs?groupBy=repo")).json();
        const asCross = await (await request(keys.cross!, `/v1/costs?groupBy=repo&project=${slug}`)).json();
        expect(own).toEqual(asCross);
      });
    }
  }

  it("keeps a project's admin to its keys, and its dashboard session to its project", async () => {
    const listed = await (await request(keys["acme:admin"]!, "/v1/admin/keys")).text();
    expectNone(listed, "globex", "acme admin: /v1/admin/keys");
    const login = await fetch(`${server.url}/v1/session`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/json" },
      body: JSON.stringify({ key: keys["acme:read"] }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    for (const path of [
      "/v1/costs?groupBy=repo,model",
      "/v1/events",
      "/v1/projects",
      "/v1/session",
      "/metrics",
    ]) {
      const body = await (await fetch(`${server.url}${path}`, { headers: { cookie } })).text();
      expectNone(body, "globex", `acme session: ${path}`);
    }
  });

  it("shows keys of every project both projects, and their totals together", async () => {
    for (const key of [keys.cross!, keys.admin!]) {
      const body = await (
        await request(key, "/v1/costs?groupBy=project,repo", { accept: "text/csv" })
      ).text();
      for (const slug of ["acme", "globex"] as const) expect(body).toContain(projects[slug].repo);
      const projectsBody = (await (await request(key, "/v1/projects")).json()) as {
        projects: Array<{ slug: string }>;
      };
      expect(projectsBody.projects.map((project) => project.slug)).toEqual(["acme", "default", "globex"]);
      const metrics = await (await request(key, "/metrics")).text();
      // Each project's series apart, with its `project` label.
      expect(metrics).toMatch(/^llm_ledger_events\{project="globex",provider="anthropic"\} \d+$/m);
      expect(metrics).toMatch(/^llm_ledger_spend_usd\{project="acme",provider="openai"\} [\d.e-]+$/m);
      expect(metrics).toMatch(/^llm_ledger_ingest_events_written_total \d+$/m);
    }
    const all = (await (await request(keys.cross!, "/v1/costs?groupBy=project")).json()) as {
      rows: Array<{ project: string; events: number }>;
      totals: { events: number };
    };
    expect(all.rows.map((row) => row.project).sort()).toEqual(["acme", "globex"]);
    expect(all.totals.events).toBe(all.rows.reduce((sum, row) => sum + row.events, 0));
  });
});
