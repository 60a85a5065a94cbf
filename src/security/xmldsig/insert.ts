// Places the ds:Signature text as the last child of the SOAP Header without re-serialising the
// envelope: a small scanner over the (already well-formed) text finds the Header's end tag.

/**
 * Returns `envelopeXml` with `fragment` inserted as the last child of the element named
 * `headerQName` that is a child of the root element. Throws if there is no such element.
 */
export function insertIntoHeader(envelopeXml: string, headerQName: string, fragment: string): string {
  let depth = 0;
  let i = 0;
  for (;;) {
    const lt = envelopeXml.indexOf('<', i);
    if (lt < 0) break;
    if (envelopeXml.startsWith('<!--', lt)) {
      i = skipPast(envelopeXml, '-->', lt);
    } else if (envelopeXml.startsWith('<![CDATA[', lt)) {
      i = skipPast(envelopeXml, ']]>', lt);
    } else if (envelopeXml.startsWith('<?', lt)) {
      i = skipPast(envelopeXml, '?>', lt);
    } else if (envelopeXml.startsWith('<!', lt)) {
      throw new Error('envelope contains a DTD, which is not allowed');
    } else if (envelopeXml.startsWith('</', lt)) {
      const name = tagName(envelopeXml, lt + 2);
      if (depth === 2 && name === headerQName) {
        return envelopeXml.slice(0, lt) + fragment + envelopeXml.slice(lt);
      }
      depth -= 1;
      i = skipPast(envelopeXml, '>', lt);
    } else {
      const end = startTagEnd(envelopeXml, lt);
      const selfClosing = envelopeXml[end - 1] === '/';
      const name = tagName(envelopeXml, lt + 1);
      if (depth === 1 && name === headerQName && selfClosing) {
        // `<SOAP:Header/>` becomes `<SOAP:Header>fragment</SOAP:Header>`.
        const open = envelopeXml.slice(lt, end - 1).replace(/\s+$/, '');
        return `${envelopeXml.slice(0, lt)}${open}>${fragment}</${headerQName}>${envelopeXml.slice(end + 1)}`;
      }
      if (!selfClosing) depth += 1;
      i = end + 1;
    }
  }
  throw new Error(`envelope has no ${headerQName} element under its root`);
}

function skipPast(xml: string, terminator: string, from: number): number {
  const at = xml.indexOf(terminator, from);
  if (at < 0) throw new Error('envelope text ends inside markup');
  return at + terminator.length;
}

function tagName(xml: string, from: number): string {
  const match = /^[^\s/>]+/.exec(xml.slice(from, from + 256));
  return match ? match[0] : '';
}

/** Index of the `>` closing the start tag at `lt`, skipping quoted attribute values. */
function startTagEnd(xml: string, lt: number): number {
  let quote: string | undefined;
  for (let j = lt + 1; j < xml.length; j++) {
    const ch = xml[j];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return j;
    }
  }
  throw new Error('envelope text ends inside a start tag');
}
