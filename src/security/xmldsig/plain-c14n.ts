// Inclusive C14N 1.0 without libxml2, for the plain XML our own builders write: elements,
// attributes, namespace declarations, text, the five predefined entities and character
// references. Anything outside that subset (comments, PIs, CDATA, a DTD, non-ASCII names, an
// unusual namespace URI, a lone surrogate…) makes it answer undefined and the signer goes the
// libxml2 way, so it never has to be right about XML it was not written for. One pass over the
// text, no regular expression over it, no backtracking.

import {
  escapeText,
  isOutside,
  outside,
  type PlainElement,
  renderStart,
  resolveTag,
  type Scope,
} from './plain-tags.js';

export interface PlainC14nOptions {
  /** A whole document (optional XML declaration, whitespace around the root) or one element. */
  document: boolean;
  /** Namespaces in scope where the text sits; empty for a document. */
  scope?: Scope;
  /** Render every namespace in scope on the first element, as C14N does for a subset's apex. */
  apex?: boolean;
  /** Decides, per start tag (depth 0 = root), whether it stays, is left out with its content, or
   *  sends the caller the libxml2 way. Called inside left-out content too. */
  onStart?: (el: PlainElement, depth: number, scope: Scope) => 'keep' | 'omit' | 'refuse';
  /** Index of the `</` of each end tag (not for empty-element tags). */
  onEnd?: (depth: number, at: number) => void;
}

/** Builders write this one; any other declaration is left to libxml2. */
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
/** Far past any envelope we build (a few KB), far under parseXml's 6 MB. */
const MAX_CHARS = 1 << 20;
/** libxml2's own limit is 256. */
const MAX_DEPTH = 128;

/** The canonical text, or undefined when `text` is outside the subset (or not well-formed). */
export function plainC14n(text: string, options: PlainC14nOptions): string | undefined {
  if (text.length > MAX_CHARS) return undefined;
  try {
    return new Scanner(text, options).run();
  } catch (error) {
    if (isOutside(error)) return undefined;
    throw error;
  }
}

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;
const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

class Scanner {
  private i = 0;
  private out = '';
  /** Depth of the element whose content is being left out, or -1. */
  private omitFrom = -1;
  private readonly stack: { qname: string; scope: Scope }[] = [];

  constructor(
    private readonly s: string,
    private readonly options: PlainC14nOptions,
  ) {}

  run(): string {
    const { s } = this;
    if (this.options.document) {
      if (s.startsWith('<?')) {
        if (!s.startsWith(XML_DECLARATION)) outside();
        this.i = XML_DECLARATION.length;
      }
      this.skipSpace();
    }
    if (s.charCodeAt(this.i) !== 60 || !isNameStart(s.charCodeAt(this.i + 1))) outside();
    this.startTag();
    while (this.stack.length > 0) {
      if (s.charCodeAt(this.i) !== 60) this.text();
      else if (s.charCodeAt(this.i + 1) === 47) this.endTag();
      else if (isNameStart(s.charCodeAt(this.i + 1))) this.startTag();
      else outside(); // comment, CDATA, PI, DTD
    }
    if (this.options.document) this.skipSpace();
    if (this.i !== s.length) outside();
    return this.out;
  }

  private skipSpace(): boolean {
    const start = this.i;
    while (isSpace(this.s.charCodeAt(this.i))) this.i += 1;
    return this.i > start;
  }

  /** NCName, or prefix:NCName; ASCII only. */
  private name(): string {
    const { s } = this;
    const start = this.i;
    if (!isNameStart(s.charCodeAt(this.i))) outside();
    while (isNameChar(s.charCodeAt(this.i))) this.i += 1;
    if (s.charCodeAt(this.i) === 58) {
      this.i += 1;
      if (!isNameStart(s.charCodeAt(this.i))) outside();
      while (isNameChar(s.charCodeAt(this.i))) this.i += 1;
    }
    return s.slice(start, this.i);
  }

  /** The character(s) a reference at `&` stands for. */
  private reference(): string {
    const { s } = this;
    const semi = s.indexOf(';', this.i);
    if (semi < 0 || semi - this.i > 10) outside();
    const body = s.slice(this.i + 1, semi);
    this.i = semi + 1;
    const named = PREDEFINED[body];
    if (named !== undefined) return named;
    const hex = body.startsWith('#x');
    const digits = body.slice(hex ? 2 : 1);
    if (!body.startsWith('#') || digits === '' || !(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) {
      outside();
    }
    const code = Number.parseInt(digits, hex ? 16 : 10);
    const valid =
      code === 9 ||
      code === 10 ||
      code === 13 ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!valid) outside();
    return String.fromCodePoint(code);
  }

  /** Steps over one XML Char at `i` (a surrogate pair counts as one); refuses any other. */
  private char(c: number): void {
    if (c < 0x20 ? c !== 9 && c !== 10 && c !== 13 : c >= 0xd800 && (c <= 0xdfff || c >= 0xfffe)) {
      const low = this.s.charCodeAt(this.i + 1);
      if (c > 0xdbff || c < 0xd800 || !(low >= 0xdc00 && low <= 0xdfff)) outside();
      this.i += 1;
    }
    this.i += 1;
  }

  /** Character data up to the next `<`, canonicalised (C14N §2.3: & < > and CR escaped). */
  private text(): void {
    const { s } = this;
    let piece = '';
    let run = this.i;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 60) break;
      if (Number.isNaN(c)) outside(); // the text ends inside an element
      if (c === 38 || c === 62 || c === 13) {
        piece += s.slice(run, this.i);
        if (c === 38) {
          piece += escapeText(this.reference());
        } else if (c === 62) {
          if (s.charCodeAt(this.i - 1) === 93 && s.charCodeAt(this.i - 2) === 93) outside(); // ]]>
          piece += '&gt;';
          this.i += 1;
        } else {
          // Line ends are normalised on input: CR LF and a lone CR are both LF.
          this.i += 1;
          if (s.charCodeAt(this.i) !== 10) piece += '\n';
        }
        run = this.i;
      } else {
        this.char(c);
      }
    }
    if (this.omitFrom < 0) this.out += piece + s.slice(run, this.i);
  }

  /** A quoted attribute value, normalised as a parser without a DTD does (white space to spaces). */
  private attributeValue(): string {
    const { s } = this;
    const quote = s.charCodeAt(this.i);
    if (quote !== 34 && quote !== 39) outside();
    this.i += 1;
    let value = '';
    let run = this.i;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === quote) break;
      if (c === 60 || Number.isNaN(c)) outside();
      if (c === 38 || c === 9 || c === 10 || c === 13) {
        value += s.slice(run, this.i);
        if (c === 38) {
          value += this.reference();
        } else {
          this.i += 1;
          if (c !== 13 || s.charCodeAt(this.i) !== 10) value += ' '; // CR LF is one line end
        }
        run = this.i;
      } else {
        this.char(c);
      }
    }
    value += s.slice(run, this.i);
    this.i += 1;
    return value;
  }

  private startTag(): void {
    const { s } = this;
    this.i += 1;
    const qname = this.name();
    const raw: { qname: string; value: string }[] = [];
    let selfClosing = false;
    for (;;) {
      const spaced = this.skipSpace();
      const c = s.charCodeAt(this.i);
      if (c === 62 || (c === 47 && s.charCodeAt(this.i + 1) === 62)) {
        selfClosing = c === 47;
        this.i += selfClosing ? 2 : 1;
        break;
      }
      if (!spaced) outside();
      const name = this.name();
      this.skipSpace();
      if (s.charCodeAt(this.i) !== 61) outside();
      this.i += 1;
      this.skipSpace();
      raw.push({ qname: name, value: this.attributeValue() });
    }
    const depth = this.stack.length;
    if (depth >= MAX_DEPTH) outside();
    const parent = this.stack[depth - 1]?.scope ?? this.options.scope ?? new Map<string, string>();
    const { element, scope, declared } = resolveTag(qname, raw, parent, selfClosing);
    const decision = this.options.onStart?.(element, depth, scope) ?? 'keep';
    if (decision === 'refuse') outside();
    if (decision === 'omit' && this.omitFrom < 0) this.omitFrom = depth;
    if (this.omitFrom < 0) {
      // C14N renders a namespace where it first comes into scope, and all of them on an apex.
      const apex = depth === 0 && this.options.apex === true;
      const namespaces = apex
        ? [...scope].filter(([, uri]) => uri !== '')
        : declared.filter(([prefix, uri]) => (parent.get(prefix) ?? '') !== uri);
      this.out += renderStart(element, namespaces);
      if (selfClosing) this.out += `</${qname}>`;
    }
    if (selfClosing) {
      if (this.omitFrom === depth) this.omitFrom = -1;
    } else {
      this.stack.push({ qname, scope });
    }
  }

  private endTag(): void {
    const at = this.i;
    this.i += 2;
    const qname = this.name();
    this.skipSpace();
    if (this.s.charCodeAt(this.i) !== 62) outside();
    this.i += 1;
    const depth = this.stack.length - 1;
    if (this.stack[depth]?.qname !== qname) outside();
    this.stack.pop();
    this.options.onEnd?.(depth, at);
    if (this.omitFrom < 0) this.out += `</${qname}>`;
    if (this.omitFrom === depth) this.omitFrom = -1;
  }
}
