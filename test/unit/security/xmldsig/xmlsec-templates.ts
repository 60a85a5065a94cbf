// ds:Signature templates for xmlsec1 --sign, written by hand (not by our template code) and in
// styles other signers use: indented SignedInfo, the XPath prefix taken from the envelope,
// single-quoted literals and extra whitespace in the expression.

const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

function cidReferences(cids: string[], indent: string): string {
  return cids
    .map(
      (cid) => `${indent}<dsig:Reference URI="cid:${cid}">
${indent}  <dsig:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
${indent}  <dsig:DigestValue/>
${indent}</dsig:Reference>`,
    )
    .join('\n');
}

/**
 * Inclusive C14N, indented, prefix `dsig`; the XPath uses the envelope's own SOAP prefix
 * (declared on the Envelope, not on the XPath element).
 */
export function indentedTemplate(envelopePrefix: string, cids: string[]): string {
  return `<dsig:Signature xmlns:dsig="http://www.w3.org/2000/09/xmldsig#">
      <dsig:SignedInfo>
        <dsig:CanonicalizationMethod Algorithm="${C14N}"/>
        <dsig:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
        <dsig:Reference URI="">
          <dsig:Transforms>
            <dsig:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
            <dsig:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116">
              <dsig:XPath>not(ancestor-or-self::node()[@${envelopePrefix}:actor="urn:oasis:names:tc:ebxml-msg:actor:nextMSH"] | ancestor-or-self::node()[@${envelopePrefix}:actor="http://schemas.xmlsoap.org/soap/actor/next"])</dsig:XPath>
            </dsig:Transform>
            <dsig:Transform Algorithm="${C14N}"/>
          </dsig:Transforms>
          <dsig:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
          <dsig:DigestValue/>
        </dsig:Reference>
${cidReferences(cids, '        ')}
      </dsig:SignedInfo>
      <dsig:SignatureValue/>
      <dsig:KeyInfo><dsig:X509Data><dsig:X509Certificate/></dsig:X509Data></dsig:KeyInfo>
    </dsig:Signature>
  `;
}

/** Exclusive C14N; the XPath declares its own prefix `s`, with reformatted whitespace and quotes. */
export function exclusiveTemplate(cids: string[]): string {
  return `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  not( ancestor-or-self::node()[ @s:actor = 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH' ]
     | ancestor-or-self::node()[ @s:actor = 'http://schemas.xmlsoap.org/soap/actor/next' ] )
</ds:XPath></ds:Transform><ds:Transform Algorithm="${EXC_C14N}"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>
${cidReferences(cids, '').replaceAll('dsig:', 'ds:')}
</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>`;
}

/** Puts a template in as the SOAP Header's last child (plain text edit, test-only). */
export function withTemplate(envelopeXml: string, envelopePrefix: string, template: string): string {
  const endTag = `</${envelopePrefix}:Header>`;
  if (!envelopeXml.includes(endTag)) throw new Error(`no ${endTag} in the envelope`);
  return envelopeXml.replace(endTag, `${template}${endTag}`);
}
