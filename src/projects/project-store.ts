import { LedgerError } from "../errors.js";
import type { Queryable } from "../store/database.js";
import { quoteSchema } from "../store/schema-name.js";
import { checkProjectName, checkProjectSlug } from "./project-names.js";

/** A project: the team a share of the ledger belongs to. The slug never changes; the name may. */
export interface ProjectInfo {
  slug: string;
  name: string;
  createdAt: string;
}

/** The projects of a ledger (migration 0006): create, list, rename. */
export interface ProjectStore {
  /** Creates a project; `E_PROJECT_EXISTS` when the slug is taken, `E_PROJECT_SLUG`/`_NAME` when invalid. */
  create(input: { slug: string; name?: string | undefined }): Promise<ProjectInfo>;
  /** Every project, by slug; with `only`, just those of them that exist (a project-bound key's view). */
  list(only?: readonly string[]): Promise<ProjectInfo[]>;
  /** Changes the display name; undefined when no project has the slug. */
  rename(slug: string, name: string): Promise<ProjectInfo | undefined>;
}

interface ProjectRow {
  slug: string;
  name: string;
  created_at: Date;
}

const toInfo = (row: ProjectRow): ProjectInfo => ({
  slug: row.slug,
  name: row.name,
  createdAt: row.created_at.toISOString(),
});

/**
 * The projects in `llm_ledger_projects` of `schema` (default public). Checks slugs and names before
 * any SQL, so a bad one is a precise error rather than a constraint violation.
 *
 * @example
 * const projects = createProjectStore({ database: store.database, schema: store.schema });
 * await projects.create({ slug: "alpha", name: "Team Alpha" });
 */
export function createProjectStore(options: {
  database: Queryable;
  schema?: string | undefined;
}): ProjectStore {
  const table = `${quoteSchema(options.schema ?? "public")}.llm_ledger_projects`;
  return {
    async create(input) {
      const slug = checkProjectSlug(input.slug);
      const name = checkProjectName(input.name ?? slug);
      const [row] = await options.database.query<ProjectRow>(
        `INSERT INTO ${table} (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING *`,
        [slug, name],
      );
      if (!row) throw new LedgerError("E_PROJECT_EXISTS", `project '${slug}' exists already`);
      return toInfo(row);
    },
    async list(only) {
      const rows = await options.database.query<ProjectRow>(
        only === undefined
          ? `SELECT * FROM ${table} ORDER BY slug`
          : `SELECT * FROM ${table} WHERE slug = ANY($1::text[]) ORDER BY slug`,
        only === undefined ? [] : [only],
      );
      return rows.map(toInfo);
    },
    async rename(slug, name) {
      const checkedName = checkProjectName(name);
      const [row] = await options.database.query<ProjectRow>(
        `UPDATE ${table} SET name = $2 WHERE slug = $1 RETURNING *`,
        [checkProjectSlug(slug), checkedName],
      );
      return row && toInfo(row);
    },
  };
}
