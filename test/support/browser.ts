// Launches Debian's Chromium through playwright-core for the browser tests. Without /usr/bin/chromium
// the tests say they skipped and why; with CI=true that is a failure, since .ci/run installs it.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";

/** Why browser tests cannot run here, or undefined when Chromium is installed. */
export function missingBrowserReason(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  return `${chromiumPath} is missing (apt-get install -y chromium)`;
}

/** Headless Chromium with the flags a container without a GPU, sandbox or network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
