/**
 * A strict reader for the YAML subset docker-compose.yml keeps to (no YAML parser is installed):
 * comments, two-space indented maps, `- "item"` lists, double-quoted or bare scalars, flow
 * lists of double-quoted strings, and `{}`. Anything else (anchors, multi-line strings, odd indents) throws,
 * so the file cannot drift into YAML this test would misread.
 */
type Node = string | string[] | { [key: string]: Node };

export function parseComposeSubset(text: string): Node {
  const lines = text
    .split('\n')
    .map((raw, index) => ({ raw: raw.replace(/\s+$/, ''), number: index + 1 }))
    .filter((l) => l.raw.trim() !== '' && !l.raw.trim().startsWith('#'));
  let position = 0;

  function indentOf(raw: string, number: number): number {
    const indent = raw.length - raw.trimStart().length;
    if (indent % 2 !== 0) throw new Error(`line ${number}: indent of ${indent} is not a multiple of two`);
    return indent;
  }

  function block(indent: number): Node {
    const first = lines[position];
    if (first?.raw.trimStart().startsWith('- ')) return list(indent);
    const map: { [key: string]: Node } = {};
    while (position < lines.length) {
      const { raw, number } = lines[position]!;
      const own = indentOf(raw, number);
      if (own < indent) break;
      if (own > indent) throw new Error(`line ${number}: unexpected indent`);
      const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(raw.trim());
      if (!match) throw new Error(`line ${number}: not a "key: value" line`);
      position += 1;
      const [, key, value] = match;
      if (key! in map) throw new Error(`line ${number}: duplicate key ${key}`);
      if (value === undefined) {
        const next = lines[position];
        if (!next || indentOf(next.raw, next.number) <= indent)
          throw new Error(`line ${number}: ${key} has no value`);
        map[key!] = block(indentOf(next.raw, next.number));
      } else map[key!] = scalarOrFlow(value, number);
    }
    return map;
  }

  function list(indent: number): string[] {
    const items: string[] = [];
    while (position < lines.length) {
      const { raw, number } = lines[position]!;
      const own = indentOf(raw, number);
      if (own < indent) break;
      if (own > indent || !raw.trimStart().startsWith('- '))
        throw new Error(`line ${number}: expected a "- item" line`);
      const value = scalarOrFlow(raw.trimStart().slice(2), number);
      if (typeof value !== 'string') throw new Error(`line ${number}: nested lists are not supported`);
      items.push(value);
      position += 1;
    }
    return items;
  }

  return block(0);
}

function scalarOrFlow(value: string, number: number): Node {
  // An empty map: how a named volume with default settings is declared.
  if (value === '{}') return {};
  if (value.startsWith('[')) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) return parsed;
    } catch {
      // reported below
    }
    throw new Error(`line ${number}: flow lists must hold double-quoted strings`);
  }
  if (value.startsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      throw new Error(`line ${number}: bad double-quoted string`);
    }
  }
  if (/^[A-Za-z0-9_./:@-]+$/.test(value)) return value;
  throw new Error(`line ${number}: unsupported value ${value}`);
}
