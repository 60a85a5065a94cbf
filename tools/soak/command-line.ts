/**
 * What the CLI lends a tool's command (src/cli/tools.ts): its argument helpers, so a bad option
 * is printed as one line like any other command's. Tools never import the CLI itself.
 */
export interface CommandLine {
  /** A whole-number option: `fallback` when absent, a usage error when not a number ≥ `min`. */
  wholeNumber(value: string | undefined, flag: string, fallback: number, min: number): number;
  usageError(message: string): Error;
}
