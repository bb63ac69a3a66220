// Projects: the teams one ledger is shared by (migration 0006), and the rules of their slugs and names.
export { createProjectStore, type ProjectInfo, type ProjectStore } from "./project-store.js";
export { checkProjectName, checkProjectSlug, isProjectSlug } from "./project-names.js";
/** The project of every event and key that names none (seeded by migration 0006). */
export { defaultProject } from "../store/index.js";
