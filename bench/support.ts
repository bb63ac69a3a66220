import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";

/** Median of a list of numbers (the figure we quote: these machines are shared and noisy). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value at quantile q (0..1) of a list, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/** Writes bench/results/NAME.json with the machine it ran on, and says where. */
export async function writeResults(name: string, results: unknown): Promise<void> {
  const dir = new URL("./results/", import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  const body = {
    benchmark: name,
    ranAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
    results,
  };
  await writeFile(file, JSON.stringify(body, null, 2) + "\n");
  console.log(`results written to bench/results/${name}.json`);
}
