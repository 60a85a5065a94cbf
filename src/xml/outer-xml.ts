// Cuts one element out of the received text, byte for byte, rather than re-serialising it:
// libxml2's element serialiser drops inherited namespace declarations and may re-escape text.

import type { XmlElement } from 'libxml2-wasm';
import { escapeXml } from './index.js';

/**
 * The outer XML of `target` as it appears in `source` (the text `target`'s document was parsed
 * from), with the namespace declarations it inherits added to its start tag so the fragment
 * parses on its own with the same meaning.
 */
export function outerXml(source: string, target: XmlElement): string {
  const index = target.eval('count(preceding::*) + count(ancestor::*)');
  if (typeof index !== 'number') throw new Error('XPath count did not return a number');
  const span = elementSpan(source, index);
  const fragment = source.slice(span.start, span.end);
  const declarations = inheritedDeclarations(target);
  if (declarations === '') return fragment;
  const nameEnd = span.start + (/^<[^\s/>]+/.exec(fragment)?.[0].length ?? 0);
  return source.slice(span.start, nameEnd) + declarations + source.slice(nameEnd, span.end);
}

function inheritedDeclarations(target: XmlElement): string {
  const local = target.localNamespaces;
  const inScope = target.namespaces;
  return Object.keys(inScope)
    .filter((prefix) => prefix !== 'xml' && !(prefix in local))
    .sort()
    .map((prefix) => ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${escapeXml(inScope[prefix] ?? '')}"`)
    .join('');
}

/**
 * Offsets of the element whose start tag is the `index`-th (from 0) in document order. The text
 * must already have parsed as well-formed XML without a DTD, so a plain scan is enough: `<`
 * only opens markup, and `>` inside attribute values is skipped by honouring quotes.
 */
export function elementSpan(source: string, index: number): { start: number; end: number } {
  let seen = -1;
  let depth = 0;
  let start = -1;
  let targetDepth = -1;
  let at = source.indexOf('<');
  while (at !== -1) {
    if (source.startsWith('<!--', at)) {
      at = source.indexOf('-->', at) + 3;
    } else if (source.startsWith('<![CDATA[', at)) {
      at = source.indexOf(']]>', at) + 3;
    } else if (source.startsWith('<?', at)) {
      at = source.indexOf('?>', at) + 2;
    } else if (source.startsWith('</', at)) {
      const close = source.indexOf('>', at) + 1;
      depth -= 1;
      if (depth === targetDepth) return { start, end: close };
      at = close;
    } else {
      const close = startTagEnd(source, at);
      seen += 1;
      const selfClosing = source[close - 2] === '/';
      if (seen === index) {
        if (selfClosing) return { start: at, end: close };
        start = at;
        targetDepth = depth;
      }
      if (!selfClosing) depth += 1;
      at = close;
    }
    at = source.indexOf('<', at);
  }
  throw new Error(`element ${index} not found in the source text`);
}

function startTagEnd(source: string, from: number): number {
  let quote: string | undefined;
  for (let i = from + 1; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i + 1;
    }
  }
  throw new Error('unterminated start tag');
}
