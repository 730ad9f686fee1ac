// A Dockerfile reader, enough to check what a stage copies and runs: line continuations,
// comments, `# syntax` directives, ARG substitution in FROM (${NAME} and $NAME), stages by name,
// and JSON-array (exec form) arguments.

export interface Instruction {
  readonly keyword: string;
  /** The raw arguments (continuations joined with a space). */
  readonly args: string;
  /** Flags such as --from=build, and the remaining words (exec form parsed from JSON). */
  readonly flags: Readonly<Record<string, string>>;
  readonly words: readonly string[];
  readonly line: number;
}

export interface DockerStage {
  readonly index: number;
  readonly name?: string;
  /** The base image with global ARG defaults substituted. */
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** Global ARGs (before the first FROM) and their defaults. */
  readonly args: Readonly<Record<string, string>>;
  readonly stages: readonly DockerStage[];
}

function splitWords(args: string): { flags: Record<string, string>; words: string[] } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags[m[1] as string] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  if (rest.startsWith('[')) {
    try {
      const arr = JSON.parse(rest) as unknown;
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string'))
        return { flags, words: arr };
    } catch {
      // shell form after all
    }
  }
  return { flags, words: rest === '' ? [] : rest.split(/\s+/) };
}

const substitute = (s: string, args: Record<string, string>) =>
  s.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, a?: string, b?: string) => {
      const k = (a ?? b) as string;
      return k in args ? (args[k] as string) : whole;
    },
  );

export function parseDockerfile(text: string): Dockerfile {
  const logical: { text: string; line: number }[] = [];
  let buf = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (buf === '' && /^\s*#/.test(line)) return;
    if (buf === '' && line.trim() === '') return;
    if (buf === '') start = i + 1;
    if (/\\\s*$/.test(line)) {
      buf += line.replace(/\\\s*$/, '') + ' ';
      return;
    }
    // Comment lines inside a continuation are dropped, as Docker does.
    if (/^\s*#/.test(line)) return;
    buf += line;
    logical.push({ text: buf.trim(), line: start });
    buf = '';
  });
  if (buf.trim() !== '') logical.push({ text: buf.trim(), line: start });

  const globalArgs: Record<string, string> = {};
  const stages: { index: number; name?: string; from: string; instructions: Instruction[] }[] = [];
  for (const l of logical) {
    const m = /^([A-Za-z]+)\s*(.*)$/s.exec(l.text);
    if (!m) continue;
    const keyword = (m[1] as string).toUpperCase();
    const args = (m[2] as string).trim();
    if (keyword === 'FROM') {
      const fm = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      const from = substitute(fm?.[1] ?? args, globalArgs);
      stages.push({
        index: stages.length,
        ...(fm?.[2] ? { name: fm[2] } : {}),
        from,
        instructions: [],
      });
      continue;
    }
    if (keyword === 'ARG' && stages.length === 0) {
      const am = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(args);
      if (am) globalArgs[am[1] as string] = (am[2] ?? '').replace(/^"(.*)"$/, '$1');
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`line ${l.line}: ${keyword} before FROM`);
    stage.instructions.push({ keyword, args, ...splitWords(args), line: l.line });
  }
  return { args: globalArgs, stages };
}
