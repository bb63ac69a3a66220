import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bundleCatalog, loadCatalogData, type CatalogBundle } from "../../src/pricing/index.js";

/** What the test catalog server answers on a path: a body and status, or no answer at all. */
export type CatalogAnswer = { status?: number; body: string; headers?: Record<string, string> } | "hang";

/** A local HTTP server publishing catalog files, its answers changed by the test as it goes. */
export interface CatalogServer {
  url: string;
  answers: Map<string, CatalogAnswer>;
  /** Requests received, by path. */
  requests: string[];
  close(): Promise<void>;
}

export async function startCatalogServer(): Promise<CatalogServer> {
  const answers = new Map<string, CatalogAnswer>();
  const requests: string[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    requests.push(path);
    const answer = answers.get(path);
    if (answer === "hang") {
      hanging.add(response);
      return;
    }
    if (!answer) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response
      .writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers })
      .end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answers,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The shipped catalog as a bundle dated `date`, with Claude Sonnet 4.5's input price set to
 * `sonnetInput` dollars per million tokens when given (so a test can tell which catalog priced a call).
 */
export function catalogBundle(date: string, sonnetInput?: string, revision = 0): CatalogBundle {
  const bundle = structuredClone(bundleCatalog(loadCatalogData(), revision));
  bundle.date = date;
  if (sonnetInput !== undefined) {
    const anthropic = bundle.providers.find((file) => file.provider === "anthropic")!;
    const entry = anthropic.models.find((model) => model.id === "claude-sonnet-4-5")!;
    entry.prices = [{ input: sonnetInput, output: "15" }];
  }
  return bundle;
}
