// RFC 2045 Content-Type reading, lenient about what real senders do: parameters in any order
// and case, quoted or not, and unquoted values holding tspecials (start=<ebXMLHeader@…>).

export interface ContentType {
  /** Lower-cased `type/subtype`. */
  mediaType: string;
  /** Lower-cased parameter names; values unquoted, first occurrence wins. */
  params: Map<string, string>;
}

export function parseContentType(value: string): ContentType {
  const semicolon = value.indexOf(';');
  const mediaType = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const params = new Map<string, string>();
  let at = semicolon < 0 ? value.length : semicolon + 1;
  while (at < value.length) {
    while (at < value.length && /[\s;]/.test(value[at] ?? '')) at++;
    const nameEnd = findAny(value, at, '=;');
    const name = value.slice(at, nameEnd).trim().toLowerCase();
    if (value[nameEnd] !== '=') {
      at = nameEnd + 1;
      continue;
    }
    at = nameEnd + 1;
    while (value[at] === ' ' || value[at] === '\t') at++;
    let paramValue: string;
    if (value[at] === '"') {
      paramValue = '';
      at++;
      while (at < value.length && value[at] !== '"') {
        if (value[at] === '\\' && at + 1 < value.length) at++;
        paramValue += value[at];
        at++;
      }
      at = findAny(value, at + 1, ';');
    } else {
      const end = findAny(value, at, ';');
      paramValue = value.slice(at, end).trim();
      at = end;
    }
    if (name && !params.has(name)) params.set(name, paramValue);
  }
  return { mediaType, params };
}

function findAny(value: string, from: number, chars: string): number {
  for (let i = from; i < value.length; i++) {
    if (chars.includes(value[i] ?? '')) return i;
  }
  return value.length;
}
