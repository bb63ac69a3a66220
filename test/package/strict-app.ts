// A strict TypeScript application over the installed tarball (see consumer.test.ts): its tsconfig is
// what a careful consumer writes (strict, NodeNext, `skipLibCheck: false`, so every declaration file
// the package's types reach is compiled too), its sources are the README's quick start, taken from
// the README as written, and the README's AI SDK example.
import { execFile } from "node:child_process";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/**
 * What the application depends on beside llm-ledger, at the versions this checkout installed (so the
 * npm cache has them): the AI SDK and a provider for the example, Node's types for the compiler, and
 * JSON Schema's, which the AI SDK's own declarations import without depending on them (without
 * skipLibCheck every AI SDK user needs them; llm-ledger's declarations need none of these).
 */
export function strictAppPackages(): string[] {
  return ["ai", "@ai-sdk/anthropic", "@types/node", "@types/json-schema"].map((name) => {
    const manifest = require(`${name}/package.json`) as { version: string };
    return `${name}@${manifest.version}`;
  });
}

/** The first `ts` code block under the README's "Quick start" heading. */
export function quickStartOf(readme: string): string {
  const section = readme.split(/^## Quick start$/m)[1];
  const block = section && /^```ts\n([\s\S]*?)^```$/m.exec(section);
  if (!block?.[1]) throw new Error("the README has no ts block under '## Quick start'");
  return block[1];
}

/**
 * Writes the sources and tsconfig into `app` and compiles them with this checkout's TypeScript into
 * `app/build`; the compiler's complaints, if any, are the error's message.
 */
export async function compileStrictApp(app: string, readmePath: string): Promise<void> {
  await writeFile(path.join(app, "quick-start.ts"), quickStartOf(await readFile(readmePath, "utf8")));
  await copyFile(path.join(import.meta.dirname, "ai-sdk-example.ts"), path.join(app, "ai-sdk-example.ts"));
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: false,
      types: ["node"],
      outDir: "build",
    },
    files: ["quick-start.ts", "ai-sdk-example.ts"],
  };
  await writeFile(path.join(app, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  const compiler = require.resolve("typescript/bin/tsc");
  await run(process.execPath, [compiler, "-p", "tsconfig.json"], { cwd: app }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the strict app does not compile:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    },
  );
}
