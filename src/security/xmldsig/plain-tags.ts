// Start tags for plain-c14n.ts: namespace resolution and the canonical start tag (C14N 1.0 §2.3
// and §4: namespaces, then attributes, each sorted; values escaped as C14N escapes them).

/** Prefix → namespace URI in scope; `''` is the default namespace (value `''`: none). */
export type Scope = ReadonlyMap<string, string>;

export interface PlainAttribute {
  qname: string;
  namespaceUri: string;
  localName: string;
  /** After attribute-value normalisation, references replaced. */
  value: string;
}

export interface PlainElement {
  qname: string;
  namespaceUri: string;
  localName: string;
  attrs: PlainAttribute[];
  selfClosing: boolean;
}

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

const OUTSIDE = new Error('outside the plain subset');

/** Leaves the scan: the text is outside the subset (or not well-formed), libxml2 decides. */
export function outside(): never {
  throw OUTSIDE;
}

export function isOutside(error: unknown): boolean {
  return error === OUTSIDE;
}

/**
 * The element a start tag opens, the scope inside it, and the declarations it makes. Refuses an
 * unbound prefix, a duplicate attribute (by name or by namespace and local name) and a namespace
 * URI libxml2's inclusive C14N might refuse as relative or unparsable.
 */
export function resolveTag(
  qname: string,
  raw: { qname: string; value: string }[],
  parent: Scope,
  selfClosing: boolean,
): { element: PlainElement; scope: Scope; declared: [string, string][] } {
  const declared: [string, string][] = [];
  const plain: { qname: string; value: string }[] = [];
  for (const attr of raw) {
    const prefix =
      attr.qname === 'xmlns' ? '' : attr.qname.startsWith('xmlns:') ? attr.qname.slice(6) : undefined;
    if (prefix === undefined) {
      plain.push(attr);
      continue;
    }
    if (prefix === 'xml' || prefix === 'xmlns' || declared.some(([p]) => p === prefix)) outside();
    // Only the default namespace may be undeclared, and no prefix bound to the reserved URIs
    // (XML Namespaces 1.0).
    if (attr.value === '' ? prefix !== '' : !absoluteUri(attr.value)) outside();
    if (attr.value === XML_NAMESPACE || attr.value === XMLNS_NAMESPACE) outside();
    declared.push([prefix, attr.value]);
  }
  let scope = parent;
  if (declared.length > 0) {
    const own = new Map(parent);
    for (const [prefix, uri] of declared) own.set(prefix, uri);
    scope = own;
  }
  const [namespaceUri, localName] = split(qname, scope, true);
  const attrs = plain.map((attr): PlainAttribute => {
    const [uri, local] = split(attr.qname, scope, false);
    return { qname: attr.qname, namespaceUri: uri, localName: local, value: attr.value };
  });
  for (let a = 1; a < attrs.length; a++) {
    const x = attrs[a]!;
    for (let b = 0; b < a; b++) {
      const y = attrs[b]!;
      if (x.qname === y.qname || (x.namespaceUri === y.namespaceUri && x.localName === y.localName)) {
        outside();
      }
    }
  }
  return { element: { qname, namespaceUri, localName, attrs, selfClosing }, scope, declared };
}

/** [namespace URI, local name]; unprefixed attributes are in no namespace. */
function split(qname: string, scope: Scope, isElement: boolean): [string, string] {
  const colon = qname.indexOf(':');
  if (colon < 0) return [isElement ? (scope.get('') ?? '') : '', qname];
  const prefix = qname.slice(0, colon);
  if (prefix === 'xml' && !isElement) return [XML_NAMESPACE, qname.slice(colon + 1)];
  const uri = prefix === 'xml' || prefix === 'xmlns' ? undefined : scope.get(prefix);
  if (!uri) outside();
  return [uri, qname.slice(colon + 1)];
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const HOST = /^\/\/[A-Za-z0-9.-]+(?=$|[/?#])/;
const PATH_QUERY_FRAGMENT =
  /^[A-Za-z0-9\-._~!$'()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$'()*+,;=:@/?]*)?(?:#[A-Za-z0-9\-._~!$'()*+,;=:@/?]*)?$/;

/**
 * A conservative subset of RFC 3986 absolute URIs: a scheme, an optional plain host (no user,
 * no port), ASCII path, query and fragment without percent-escapes or `&`. libxml2 parses every
 * one as absolute; any other namespace URI (relative, or one it might not parse) is left to
 * libxml2. No `&`: libxml2 writes namespace URIs unescaped, where C14N would escape it, so
 * only URIs that need no escaping are rendered here. The classes do not overlap, so the
 * expressions cannot backtrack.
 */
function absoluteUri(uri: string): boolean {
  const scheme = SCHEME.exec(uri);
  if (!scheme) return false;
  let rest = uri.slice(scheme[0].length);
  if (rest.startsWith('//')) {
    const host = HOST.exec(rest);
    if (!host) return false;
    rest = rest.slice(host[0].length);
  }
  return PATH_QUERY_FRAGMENT.test(rest);
}

/** The canonical start tag: namespace declarations by prefix, then attributes by (URI, local name). */
export function renderStart(element: PlainElement, namespaces: [string, string][]): string {
  let tag = `<${element.qname}`;
  for (const [prefix, uri] of namespaces.sort(([a], [b]) => (a < b ? -1 : 1))) {
    // absoluteUri let through nothing that needs escaping.
    tag += `${prefix === '' ? ' xmlns' : ` xmlns:${prefix}`}="${uri}"`;
  }
  const attrs = element.attrs.length > 1 ? [...element.attrs].sort(byNamespaceThenName) : element.attrs;
  for (const attr of attrs) tag += ` ${attr.qname}="${escapeAttribute(attr.value)}"`;
  return `${tag}>`;
}

function byNamespaceThenName(a: PlainAttribute, b: PlainAttribute): number {
  if (a.namespaceUri !== b.namespaceUri) return a.namespaceUri < b.namespaceUri ? -1 : 1;
  return a.localName < b.localName ? -1 : a.localName > b.localName ? 1 : 0;
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** Text as C14N writes it: & < > and CR as references, everything else as itself. */
export function escapeText(value: string): string {
  return /[&<>\r]/.test(value) ? value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c) : value;
}

/** An attribute value as C14N writes it (double-quoted). */
function escapeAttribute(value: string): string {
  return /[&<"\t\n\r]/.test(value) ? value.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c) : value;
}
