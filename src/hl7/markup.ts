// A tiny element tree for building HL7 V3 XML. Attribute values and text always pass through
// escapeXml, and element names are checked, so no caller value can change the markup.
import { escapeXml, XmlInputError } from '../xml/index.js';

export interface XmlElementSpec {
  kind: 'element';
  name: string;
  attrs: Record<string, string | undefined>;
  children: XmlChild[];
}

/** Pre-built XML (an HL7 payload) placed as a child; it is not escaped. */
export interface RawXml {
  kind: 'raw';
  xml: string;
}

export type XmlChild = XmlElementSpec | RawXml | undefined | false;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const INDENT = '  ';

/** An element; attributes whose value is undefined are left out, in insertion order otherwise. */
export function el(
  name: string,
  attrs: Record<string, string | undefined> = {},
  ...children: (XmlChild | XmlChild[])[]
): XmlElementSpec {
  return { kind: 'element', name, attrs, children: children.flat() };
}

export function raw(xml: string): RawXml {
  return { kind: 'raw', xml };
}

/** Renders with two-space indentation and no trailing newline. */
export function renderXml(node: XmlElementSpec, depth = 0): string {
  if (!NAME.test(node.name)) throw new XmlInputError(`"${node.name}" is not a valid element name`);
  const pad = INDENT.repeat(depth);
  let attrs = '';
  for (const [key, value] of Object.entries(node.attrs)) {
    if (value === undefined) continue;
    if (!NAME.test(key) && !/^xmlns(:[A-Za-z_][\w.-]*)?$/.test(key)) {
      throw new XmlInputError(`"${key}" is not a valid attribute name`);
    }
    attrs += ` ${key}="${escapeXml(value)}"`;
  }
  const children = node.children.filter((child): child is XmlElementSpec | RawXml => Boolean(child));
  if (children.length === 0) return `${pad}<${node.name}${attrs}/>`;
  const inner = children.map((child) =>
    child.kind === 'raw' ? indentRaw(child.xml, depth + 1) : renderXml(child, depth + 1),
  );
  return `${pad}<${node.name}${attrs}>\n${inner.join('\n')}\n${pad}</${node.name}>`;
}

/**
 * Indents a pre-built fragment to its depth for readability. Only line breaks directly before
 * markup get the indent (whitespace HL7's element-only content ignores); a fragment with
 * CDATA is left exactly as it is, since its text could contain such line breaks.
 */
function indentRaw(xml: string, depth: number): string {
  const pad = INDENT.repeat(depth);
  if (xml.includes('<![CDATA[')) return xml;
  return pad + xml.replace(/\n(?=[ \t]*<)/g, `\n${pad}`);
}
