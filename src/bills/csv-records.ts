/** One CSV record and the line of the file it starts on (1-based). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * Splits RFC 4180 CSV text into records (quoted cells may hold commas, doubled quotes and line
 * breaks; LF or CRLF). Blank lines are skipped. An unterminated quote is reported by the line it
 * opened on, as a string, so the caller can name it with the other bad lines.
 */
export function csvRecords(text: string): { records: CsvRecord[]; error?: { line: number; reason: string } } {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let touched = false;
  const endRecord = () => {
    cells.push(cell);
    if (touched || cells.length > 1 || cell !== "") records.push({ line: recordLine, cells });
    cells = [];
    cell = "";
    touched = false;
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else {
        if (char === "\n") line++;
        cell += char;
      }
    } else if (char === '"' && cell === "") {
      quoted = true;
      touched = true;
      quoteLine = line;
    } else if (char === ",") {
      cells.push(cell);
      cell = "";
      touched = true;
    } else if (char === "\n" || (char === "\r" && text[index + 1] === "\n")) {
      if (char === "\r") index++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += char;
  }
  if (quoted) return { records, error: { line: quoteLine, reason: "a quoted cell is never closed" } };
  if (cell !== "" || cells.length > 0 || touched) endRecord();
  return { records };
}
