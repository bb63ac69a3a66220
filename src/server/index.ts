// llm-ledger/server: the HTTP API and dashboard, to embed or start from code.
export { startServer, type RunningServer, type StartServerOptions } from "./start-server.js";
export { createApp, type AppDependencies, type LedgerApp } from "./app.js";
export {
  createApiKeyStore,
  generateApiKey,
  type ApiKeyStore,
  type ApiKeyInfo,
  type Scope,
} from "./api-keys.js";
export { writeProjectOf, writeProjectsOf, type WriteProject } from "./project-scope.js";
export { createJsonLogger, type ServerLogger } from "./server-logger.js";
