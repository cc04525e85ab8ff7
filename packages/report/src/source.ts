// The rule text a report shows beside a step: the line `file:line` names, read from the text the CLI parsed
// (the JSON documents carry locations, not the text). Lines are found once per file, by index, so a report of a
// 100 MB snapshot does not split it into lines.
export type Sources = ReadonlyMap<string, string>;

export class SourceLines {
  private readonly starts = new Map<string, number[]>();

  constructor(private readonly sources: Sources = new Map()) {}

  /** The text of 1-based `line` of `file`, without its line break; null when the file or line is not known. */
  line(file: string, line: number | null): string | null {
    if (line === null || line < 1) return null;
    const text = this.sources.get(file);
    if (text === undefined) return null;
    let starts = this.starts.get(file);
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts.set(file, starts);
    }
    const from = starts[line - 1];
    if (from === undefined) return null;
    const to = starts[line] ?? text.length + 1;
    return text.slice(from, to - 1).replace(/\r$/, '');
  }

  /** The whole text of a file, or undefined. */
  text(file: string): string | undefined {
    return this.sources.get(file);
  }
}
