import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import type { LedgerApp } from "./app.js";
import { HttpError } from "./http-errors.js";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/** The dashboard's files (`public/` at the package root: `src/server` and `dist/server` are two levels down). */
export const publicDirectory = fileURLToPath(new URL("../../public/", import.meta.url));

/** Chart.js's browser build, served as a same-origin script (the CSP allows no CDN). */
function chartScriptPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.resolve("chart.js"))), "chart.umd.min.js");
}

/**
 * The dashboard: `/` serves its shell, `/assets/…` its scripts and styles, all public and free of data
 * (the page loads data with the session cookie). Paths never leave the public directory.
 */
export function createDashboardRoutes(directory = publicDirectory): LedgerApp {
  const root = path.resolve(directory) + path.sep;
  const send = async (file: string) => {
    const body = await readFile(file).catch(() => undefined);
    if (body === undefined) return undefined;
    return new Response(body, {
      headers: {
        "content-type": contentTypes[path.extname(file)] ?? "application/octet-stream",
        "cache-control": "no-cache",
      },
    });
  };
  const routes: LedgerApp = new Hono();
  routes.get("/", async (context) => (await send(path.join(root, "index.html"))) ?? context.notFound());
  routes.get(
    "/assets/vendor/chart.umd.min.js",
    async (context) => (await send(chartScriptPath())) ?? context.notFound(),
  );
  routes.get("/assets/*", async (context) => {
    const relative = decodePath(context.req.path.slice("/assets/".length));
    const file = path.resolve(root, relative);
    if (!file.startsWith(root) || relative.includes("\0")) return context.notFound();
    return (await send(file)) ?? context.notFound();
  });
  return routes;
}

/** Mounts the dashboard (`createDashboardRoutes`) at the root of `app`. */
export function mountDashboard(app: LedgerApp, directory = publicDirectory): void {
  app.route("/", createDashboardRoutes(directory));
}

function decodePath(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new HttpError("E_PATH", "the path is not valid percent-encoding");
  }
}
