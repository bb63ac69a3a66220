import type { CommandContext, CommandDefinition } from "../command.js";
import { adminApi, adminTargetOptions } from "../admin-target.js";
import { openCliDatabase } from "../database-option.js";
import { requiredStringOption, stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { LedgerError } from "../../errors.js";
import { createProjectStore, type ProjectInfo, type ProjectStore } from "../../projects/index.js";
import { migrateUp } from "../../store/migrator.js";

type ProjectClient = Pick<ProjectStore, "create" | "list" | "rename"> & { close(): Promise<void> };

/** The projects through a running server's API (`--url`) or directly on the database. */
async function projectClient(context: CommandContext): Promise<ProjectClient> {
  const url = stringOption(context, "url");
  if (url !== undefined) {
    const call = adminApi(context, url);
    return {
      create: async (input) =>
        (
          (await call("/v1/projects", { method: "POST", body: JSON.stringify(input) })) as {
            project: ProjectInfo;
          }
        ).project,
      list: async () => ((await call("/v1/projects")) as { projects: ProjectInfo[] }).projects,
      rename: async (slug, name) =>
        (
          (await call(`/v1/projects/${encodeURIComponent(slug)}`, {
            method: "PATCH",
            body: JSON.stringify({ name }),
            missingOk: true,
          })) as { project: ProjectInfo } | undefined
        )?.project,
      close: async () => {},
    };
  }
  const database = await openCliDatabase(context);
  try {
    const schema = stringOption(context, "schema");
    await migrateUp(database, { schema });
    const projects = createProjectStore({ database, schema });
    return {
      create: (input) => projects.create(input),
      list: () => projects.list(),
      rename: (slug, name) => projects.rename(slug, name),
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function withClient<T>(
  context: CommandContext,
  work: (client: ProjectClient) => Promise<T>,
): Promise<T> {
  const client = await projectClient(context);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

function printProject(context: CommandContext, project: ProjectInfo, verb: string): void {
  if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(project) + "\n");
  else context.io.stdout.write(`${verb} project ${project.slug} '${project.name}'\n`);
}

const columns: Column<ProjectInfo>[] = [
  { header: "slug", value: (project) => project.slug },
  { header: "name", value: (project) => project.name },
  { header: "created", value: (project) => project.createdAt },
];

/** `llm-ledger projects create|list|rename`. */
export const projectsCommand: CommandDefinition = {
  name: "projects",
  summary: "create, list and rename projects (the teams a ledger is shared by)",
  description:
    "A project's slug (what events and keys name) never changes; its display name may. Works through a\nrunning server's API (--url and an admin key) or directly on a database that nothing else holds.",
  subcommands: [
    {
      name: "create",
      summary: "create a project with a slug and a display name",
      usage: "SLUG",
      positionals: { min: 1, max: 1 },
      options: {
        ...adminTargetOptions,
        name: { type: "string", valueName: "NAME", description: "the display name (default the slug)" },
        ...formatOptions,
      },
      async run(context) {
        const slug = context.positionals[0]!;
        const name = stringOption(context, "name");
        const created = await withClient(context, (client) => client.create({ slug, name }));
        printProject(context, created, "created");
      },
    },
    {
      name: "list",
      summary: "list the projects (through --url: those the key can see)",
      options: { ...adminTargetOptions, ...formatOptions },
      async run(context) {
        const projects = await withClient(context, (client) => client.list());
        const format = outputFormat(context);
        if (format === "json") context.io.stdout.write(JSON.stringify(projects) + "\n");
        else
          context.io.stdout.write(
            format === "csv" ? formatCsv(columns, projects) : formatTable(columns, projects),
          );
      },
    },
    {
      name: "rename",
      summary: "change a project's display name (its slug stays)",
      usage: "SLUG",
      positionals: { min: 1, max: 1 },
      options: {
        ...adminTargetOptions,
        name: { type: "string", valueName: "NAME", description: "the new display name" },
        ...formatOptions,
      },
      async run(context) {
        const slug = context.positionals[0]!;
        const name = requiredStringOption(context, "name");
        const renamed = await withClient(context, (client) => client.rename(slug, name));
        if (!renamed) throw new LedgerError("E_NOT_FOUND", `no project '${slug}'`);
        printProject(context, renamed, "renamed");
      },
    },
  ],
};
