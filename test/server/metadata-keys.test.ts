// GET /v1/metadata-keys and listMetadataKeys: the metadata keys present in a range's newest events with
// their counts, bounded by the range and a scan limit, project-scoped like every read route; bad
// parameters are a 400 with the reason.
import { beforeAll, afterAll, expect, it } from "vitest";
import { listMetadataKeys } from "../../src/query/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { insertEvents, testEvent } from "../query/support/cost-events.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "metadata-keys-admin-key-0123456789";
const hour = 3_600_000;
/** Keys that break CSV and filter lists (formula starts, commas, backslashes, line breaks). */
const hostileKeys = hostileValues(seededRandom(21), 12).slice(0, 8);

describeEachEngine("metadata keys present", (context) => {
  let server: RunningServer;
  const keys: Record<string, string> = {};
  const store = () => ({ database: context.database(), schema: context.schema });
  const now = Date.now();
  const from = new Date(now - 48 * hour).toISOString();
  const get = async (key: string, query: string) => {
    const response = await fetch(`${server.url}/v1/metadata-keys?${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    for (const slug of ["alpha", "beta"]) {
      await fetch(`${server.url}/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ slug, name: slug }),
      });
      keys[slug] = await createKeyVia(server.url, adminKey, { name: slug, scopes: ["read"], project: slug });
    }
    keys.cross = await createKeyVia(server.url, adminKey, { name: "all", scopes: ["read"], project: null });
    const at = (hoursAgo: number) => new Date(now - hoursAgo * hour);
    await insertEvents(context.database(), context.schema, [
      // alpha: team on 3, feature on 2, one without metadata; an old event's key is out of range.
      testEvent({ project: "alpha", createdAt: at(1), metadata: { team: "a", feature: "x" } }),
      testEvent({ project: "alpha", createdAt: at(2), metadata: { team: "b", feature: "y" } }),
      testEvent({ project: "alpha", createdAt: at(3), metadata: { team: "c" } }),
      testEvent({ project: "alpha", createdAt: at(4), metadata: null }),
      testEvent({ project: "alpha", createdAt: at(100), metadata: { ancient: "z" } }),
      // beta: its own key only.
      testEvent({ project: "beta", createdAt: at(1), metadata: { "beta-secret": "s", team: "t" } }),
      ...hostileKeys.map((text, index) =>
        testEvent({ project: "beta", createdAt: at(5 + index), metadata: { [text]: 1 } }),
      ),
    ]);
  });
  afterAll(async () => {
    await server.close();
  });

  it("counts the keys of a range's events, most frequent first, within the range only", async () => {
    const alpha = await listMetadataKeys(store(), { from, filters: { project: ["alpha"] } });
    expect(alpha).toEqual({
      keys: [
        { key: "team", events: 3 },
        { key: "feature", events: 2 },
      ],
      scanned: 4,
      truncated: false,
    });
    const limited = await listMetadataKeys(store(), { from, limit: 1, filters: { project: ["alpha"] } });
    expect(limited.keys).toEqual([{ key: "team", events: 3 }]);
  });

  it("reads at most scanLimit of the newest events, and says when the range held more", async () => {
    const newest = await listMetadataKeys(store(), { from, scanLimit: 2, filters: { project: ["alpha"] } });
    expect(newest).toEqual({
      keys: [
        { key: "feature", events: 2 },
        { key: "team", events: 2 },
      ],
      scanned: 2,
      truncated: true,
    });
  });

  it("answers a project-bound key with its project's keys only, a key of every project with all", async () => {
    const alpha = await get(keys.alpha!, `from=${from}`);
    expect(alpha.status).toBe(200);
    expect(JSON.stringify(alpha.body)).not.toContain("beta-secret");
    expect(alpha.body).toMatchObject({
      keys: [
        { key: "team", events: 3 },
        { key: "feature", events: 2 },
      ],
    });
    // Asking for another project finds nothing, as a project that does not exist.
    expect((await get(keys.alpha!, `from=${from}&project=beta`)).body).toEqual({
      keys: [],
      scanned: 0,
      truncated: false,
    });
    const cross = await get(keys.cross!, `from=${from}`);
    const names = (cross.body.keys as Array<{ key: string }>).map((entry) => entry.key);
    expect(names).toContain("beta-secret");
    expect(names[0]).toBe("team");
    for (const text of hostileKeys) expect(names).toContain(text);
    const beta = await get(keys.cross!, `from=${from}&project=beta`);
    expect((beta.body.keys as Array<{ key: string }>).map((entry) => entry.key)).not.toContain("feature");
  });

  it("refuses a read without a time bound, an unknown parameter and bad limits with the reason", async () => {
    for (const [query, message] of [
      ["", "from: required"],
      [`from=${from}&groupBy=repo`, "groupBy does not apply to /v1/metadata-keys"],
      [`from=${from}&cursor=x`, "cursor does not apply"],
      [`from=${from}&scanLimit=abc`, "scanLimit must be a whole number"],
      [`from=${from}&scanLimit=100001`, "scanLimit: expected a whole number from 1 to 100000"],
      [`from=${from}&limit=201`, "limit: expected a whole number from 1 to 200"],
      ["from=yesterday", "from: expected a Date or an ISO 8601 string"],
      [`from=${from}&nope=1`, "unknown query parameter 'nope'"],
    ] as const) {
      const answer = await get(keys.cross!, query);
      expect(answer.status, query).toBe(400);
      expect((answer.body.error as { message: string }).message, query).toContain(message);
    }
    const anonymous = await fetch(`${server.url}/v1/metadata-keys?from=${from}`);
    expect(anonymous.status).toBe(401);
  });
});
