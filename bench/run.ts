// `npm run bench` runs every benchmark; `npm run bench -- NAME [flags]` runs bench/NAME.bench.ts.
// Each benchmark module exports `run(args: string[]): Promise<void>` and writes bench/results/NAME.json.
import { readdir } from "node:fs/promises";

const [name, ...args] = process.argv.slice(2);
const benchDir = new URL("./", import.meta.url);
const available = (await readdir(benchDir)).filter((f) => f.endsWith(".bench.ts")).map((f) => f.slice(0, -9));

const selected = name && !name.startsWith("-") ? [name] : available;
for (const bench of selected) {
  if (!available.includes(bench)) {
    console.error(`unknown benchmark '${bench}'; available: ${available.join(", ")}`);
    process.exit(2);
  }
  const module = (await import(new URL(`./${bench}.bench.ts`, benchDir).href)) as {
    run(args: string[]): Promise<void>;
  };
  console.log(`\n== ${bench} ==`);
  await module.run(name === bench ? args : []);
}
