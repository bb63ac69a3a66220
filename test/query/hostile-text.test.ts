// Hostile text through the pure pieces: the CSV cell shared by HTTP and the CLI, and the filter-value
// splitter shared by HTTP and the CLI, with the dashboard's mirror of its escaping.
import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { csvCell, joinFilterValues, removeCsvPrefix, splitFilterValues } from "../../src/query/index.js";
import { parseCsv, startsFormula } from "../support/csv.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";

interface DashboardFilterValues {
  escapeFilterValue(value: string): string;
  filterParameter(values: string | string[]): string;
}
// A plain ES module served to the browser; imported by path so TypeScript does not need its types.
const dashboardModule = "../../public/js/filter-values.js";
const dashboard = (await import(dashboardModule)) as DashboardFilterValues;

describe("csvCell", () => {
  it("neutralises every text cell a spreadsheet would run, and gives the value back otherwise", () => {
    for (const value of hostileValues(seededRandom(14), 3000)) {
      const [[cell] = []] = parseCsv(`${csvCell(value)}\n`);
      expect(cell, JSON.stringify(value)).toBeDefined();
      expect(startsFormula(cell!), JSON.stringify(value)).toBe(false);
      expect(cell, JSON.stringify(value)).toBe(/^'*[=+\-@\t\r\n\uFF1D]/.test(value) ? `'${value}` : value);
      expect(removeCsvPrefix(cell!), JSON.stringify(value)).toBe(value);
    }
  });

  it("keeps plain numbers in number cells as they are, and treats anything else there as text", () => {
    for (const number of ["-1", "-0.000000000001", "12.5%", "-3.2%", "1e-7", "0", "123456789012345678901"]) {
      expect(csvCell(number, "number")).toBe(number);
    }
    expect(csvCell("-1", "text")).toBe("'-1");
    expect(csvCell("-1+2", "number")).toBe("'-1+2");
    expect(csvCell("=1", "number")).toBe("'=1");
    expect(csvCell("+1", "number")).toBe("'+1");
    expect(csvCell("-", "number")).toBe("'-");
    expect(csvCell("'=1")).toBe("''=1");
    expect(removeCsvPrefix("''=1")).toBe("'=1");
    expect(csvCell("'quoted'")).toBe("'quoted'");
    expect(removeCsvPrefix("'quoted'")).toBe("'quoted'");
  });
});

describe("filter values", () => {
  it("split back exactly what was joined, commas and backslashes included", () => {
    const random = seededRandom(41);
    const values = hostileValues(random, 2000);
    for (let round = 0; round < 500; round++) {
      const picked = Array.from(
        { length: 1 + Math.floor(random() * 4) },
        () => values[Math.floor(random() * values.length)]!,
      );
      const text = joinFilterValues(picked);
      expect(splitFilterValues("repo", text), JSON.stringify(picked)).toEqual(picked);
      expect(dashboard.filterParameter(picked)).toBe(text);
    }
    for (const value of values) expect(dashboard.escapeFilterValue(value)).toBe(joinFilterValues([value]));
  });

  it("keeps a bare comma a separator, takes values exactly, and refuses a stray backslash", () => {
    expect(splitFilterValues("repo", "a,b")).toEqual(["a", "b"]);
    expect(splitFilterValues("repo", "a\\,b")).toEqual(["a,b"]);
    expect(splitFilterValues("repo", "a\\\\,b")).toEqual(["a\\", "b"]);
    expect(splitFilterValues("repo", " a ,\tb,,")).toEqual([" a ", "\tb"]);
    for (const text of ["a\\b", "a\\", "\\n"]) {
      let error: unknown;
      try {
        splitFilterValues("repo", text);
      } catch (caught) {
        error = caught;
      }
      expect(isLedgerError(error, "E_QUERY_FILTER"), text).toBe(true);
      expect((error as Error).message).toMatch(
        /^repo: a backslash in a filter value must be followed by ','/,
      );
    }
  });
});
