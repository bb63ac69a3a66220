import type { CommandContext, CommandDefinition } from "../command.js";
import { adminApi, adminTargetOptions } from "../admin-target.js";
import { openCliDatabase } from "../database-option.js";
import { booleanOption, listOption, requiredStringOption, stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { UsageError } from "../usage-error.js";
import { LedgerError } from "../../errors.js";
import { createApiKeyStore, parseScopes, type ApiKeyInfo, type Scope } from "../../server/api-keys.js";
import { migrateUp } from "../../store/migrator.js";

const targetOptions = adminTargetOptions;

/** The operations on keys, either through a running server's admin API or directly on the database. */
interface KeyClient {
  /** `project`: a slug, null for every project, undefined for the default of the scopes. */
  create(
    name: string,
    scopes: Scope[],
    project: string | null | undefined,
  ): Promise<{ key: string; info: ApiKeyInfo }>;
  list(): Promise<ApiKeyInfo[]>;
  revoke(idOrPrefix: string): Promise<ApiKeyInfo | undefined>;
  close(): Promise<void>;
}

async function keyClient(context: CommandContext): Promise<KeyClient> {
  const url = stringOption(context, "url");
  if (url !== undefined) return httpKeyClient(context, url);
  const database = await openCliDatabase(context);
  try {
    const schema = stringOption(context, "schema");
    await migrateUp(database, { schema });
    const keys = createApiKeyStore({ database, schema });
    return {
      create: (name, scopes, project) => keys.create({ name, scopes, project }),
      list: () => keys.list(),
      revoke: (idOrPrefix) => keys.revoke(idOrPrefix),
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function httpKeyClient(context: CommandContext, url: string): KeyClient {
  const call = adminApi(context, url);
  const path = "/v1/admin/keys";
  return {
    create: async (name, scopes, project) =>
      (await call(path, {
        method: "POST",
        body: JSON.stringify({ name, scopes, ...(project === undefined ? {} : { project }) }),
      })) as { key: string; info: ApiKeyInfo },
    list: async () => ((await call(path)) as { keys: ApiKeyInfo[] }).keys,
    revoke: async (idOrPrefix) =>
      (
        (await call(`${path}/${encodeURIComponent(idOrPrefix)}`, { method: "DELETE", missingOk: true })) as
          { revoked: ApiKeyInfo } | undefined
      )?.revoked,
    close: async () => {},
  };
}

/**
 * Revokes the key unless it already was: the store keeps the first revocation time and answers the
 * key either way, so the listing (same id-or-prefix rule as the store) tells the two apart.
 */
async function revokeOnce(
  client: KeyClient,
  target: string,
): Promise<{ key: ApiKeyInfo; already: boolean } | undefined> {
  const previous = (await client.list()).filter((key) => key.id === target || key.prefix === target);
  const revokedBefore = previous.length === 1 && previous[0]!.revokedAt !== null ? previous[0] : undefined;
  if (revokedBefore) return { key: revokedBefore, already: true };
  const key = await client.revoke(target);
  return key && { key, already: false };
}

async function withClient<T>(context: CommandContext, work: (client: KeyClient) => Promise<T>): Promise<T> {
  const client = await keyClient(context);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** `--project SLUG` or `--all-projects` (null), never both; undefined when neither. */
function keyProjectOption(context: CommandContext): string | null | undefined {
  const project = stringOption(context, "project");
  const all = booleanOption(context, "all-projects");
  if (project !== undefined && all) throw new UsageError("give --project or --all-projects, not both");
  return all ? null : project;
}

const columns: Column<ApiKeyInfo>[] = [
  { header: "id", value: (key) => key.id, align: "right" },
  { header: "name", value: (key) => key.name },
  { header: "prefix", value: (key) => key.prefix },
  { header: "scopes", value: (key) => key.scopes.join(",") },
  { header: "project", value: (key) => key.project ?? "(all)" },
  { header: "created", value: (key) => key.createdAt },
  { header: "last used", value: (key) => key.lastUsedAt ?? "" },
  { header: "revoked", value: (key) => key.revokedAt ?? "" },
];

/** `llm-ledger keys create|list|revoke`. */
export const keysCommand: CommandDefinition = {
  name: "keys",
  summary: "create, list and revoke API keys",
  description:
    "Works through a running server's admin API (--url and an admin key) or directly on a database that\nnothing else holds (an embedded PGlite directory allows one process).",
  subcommands: [
    {
      name: "create",
      summary: "create a key (shown once) with a name and scopes",
      options: {
        ...targetOptions,
        name: { type: "string", valueName: "NAME", description: "what the key is for" },
        scopes: { type: "string", valueName: "LIST", description: "comma-separated: ingest, read, admin" },
        project: {
          type: "string",
          valueName: "SLUG",
          description:
            "the one project the key sees and writes (default: every project for admin keys, else 'default')",
        },
        "all-projects": {
          type: "boolean",
          description: "a key of every project (cross-project reads and ingest)",
        },
        ...formatOptions,
      },
      async run(context) {
        const name = requiredStringOption(context, "name");
        let scopes: Scope[];
        try {
          scopes = parseScopes(listOption(context, "scopes") ?? []);
        } catch (error) {
          throw new UsageError(`--scopes: ${(error as Error).message}`);
        }
        const project = keyProjectOption(context);
        const created = await withClient(context, (client) => client.create(name, scopes, project));
        if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(created) + "\n");
        else
          context.io.stdout.write(
            `created key ${created.info.id} '${created.info.name}' (${created.info.scopes.join(", ")}; ${created.info.project === null ? "every project" : `project ${created.info.project}`}); it is shown only now:\n${created.key}\n`,
          );
      },
    },
    {
      name: "list",
      summary: "list keys (never the keys themselves)",
      options: { ...targetOptions, ...formatOptions },
      async run(context) {
        const keys = await withClient(context, (client) => client.list());
        const format = outputFormat(context);
        if (format === "json") context.io.stdout.write(JSON.stringify(keys) + "\n");
        else
          context.io.stdout.write(format === "csv" ? formatCsv(columns, keys) : formatTable(columns, keys));
      },
    },
    {
      name: "revoke",
      summary: "revoke a key by id or prefix",
      usage: "ID|PREFIX",
      positionals: { min: 1, max: 1 },
      options: targetOptions,
      async run(context) {
        const target = context.positionals[0]!;
        const outcome = await withClient(context, (client) => revokeOnce(client, target));
        if (!outcome) throw new LedgerError("E_NOT_FOUND", `no key with id or prefix '${target}'`);
        const { key, already } = outcome;
        // Exit 0 either way: the key is revoked, which is what was asked (a cleanup script may run
        // twice); the distinct message tells a person the command changed nothing this time.
        context.io.stdout.write(
          already
            ? `key ${key.id} '${key.name}' was already revoked (at ${key.revokedAt}); nothing changed\n`
            : `revoked key ${key.id} '${key.name}'\n`,
        );
      },
    },
  ],
};
