/** SQL text and its parameters, in the order the text names them. */
export interface Statement {
  text: string;
  values: unknown[];
}

/** A parameter type PostgreSQL needs spelled out where it cannot infer it; SQLite ignores it. */
export type ParamType = 'jsonb' | 'timestamptz' | 'int';

/**
 * What differs between SQLite and PostgreSQL in the statements both stores share. Everything else
 * (the tables' logical columns, filters, ordering, upserts) is written once in this folder.
 */
export interface Dialect {
  /** The placeholder for parameter `n` (counted from 1): `?` or `$n`, with a cast when `type` is given. */
  placeholder(n: number, type?: ParamType): string;
  /** The column that stores JSON value `name` (SQLite keeps JSON text in `<name>_json`, PostgreSQL in jsonb). */
  jsonColumn(name: string): string;
  /** An expression reading JSON column `name` as text (select lists name it `name`). */
  jsonText(name: string): string;
  /** How `"key":"value"` is spelled inside the stored JSON text (jsonb prints a space after the colon). */
  jsonPair(key: string, value: string): string;
  /** Appended to a SELECT whose row the same transaction then changes: PostgreSQL locks it, SQLite has one writer. */
  lockRow: string;
}

/** Records one value and returns its placeholder. */
export type Param = (value: unknown, type?: ParamType) => string;

/**
 * A statement in `dialect`. `build` calls `p` for each value where it appears in the text; with `?`
 * placeholders the values must be recorded in the order the text names them, so build the text
 * left to right (fragments first when a template joins them).
 */
export function sql(dialect: Dialect, build: (p: Param) => string): Statement {
  const values: unknown[] = [];
  const text = build((value, type) => {
    values.push(value);
    return dialect.placeholder(values.length, type);
  });
  return { text, values };
}

/** A placeholder list for `IN (…)`; callers never pass an empty list (`IN ()` is not SQL). */
export function list(p: Param, values: readonly unknown[]): string {
  return values.map((value) => p(value)).join(', ');
}

/** JSON text for a JSON column (undefined stays SQL NULL); stringified here, so a top-level array stays JSON. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** The value a JSON column held (SQL NULL reads as undefined; a stored JSON null as null). */
export function fromJson(value: string | null): unknown {
  return value === null ? undefined : JSON.parse(value);
}

/** A timestamp as both stores hand it out: SQLite keeps the ISO text it was given, PostgreSQL returns a Date. */
export function iso(value: string | Date): string {
  return typeof value === 'string' ? value : value.toISOString();
}
