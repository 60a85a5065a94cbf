import { describe, expect, it } from 'vitest';
import {
  attribute,
  element,
  escapeXml,
  NS,
  parseXml,
  text,
  withXml,
  XmlInputError,
} from '../../../src/xml/index.js';

describe('parseXml', () => {
  it('reads elements and attributes by namespace URI, whatever the prefix', () => {
    const xml = `<s:Envelope xmlns:s="${NS.soap}" xmlns:e="${NS.eb}"><s:Header><e:MessageHeader e:version="2.0"><e:CPAId> S1 </e:CPAId></e:MessageHeader></s:Header></s:Envelope>`;
    withXml(xml, (doc) => {
      const header = element(doc.root, '/soap:Envelope/soap:Header/eb:MessageHeader');
      expect(header).toBeDefined();
      expect(attribute(header!, 'version', NS.eb)).toBe('2.0');
      expect(attribute(header!, 'version')).toBeUndefined();
      expect(text(doc.root, '//eb:CPAId')).toBe('S1');
      expect(text(doc.root, '//eb:Missing')).toBeUndefined();
    });
  });

  it('refuses a document with an internal entity (billion laughs)', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>';
    expect(() => parseXml(bomb)).toThrow(/DTD or entity/);
  });

  it('refuses an external entity', () => {
    const ext = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>';
    expect(() => parseXml(ext)).toThrow(XmlInputError);
  });

  it('refuses a document over the size limit, counted in bytes', () => {
    const doc = `<x>${'é'.repeat(600)}</x>`; // 1,207 bytes but 607 characters
    expect(() => parseXml(doc, { maxBytes: 1000 })).toThrow(/1207 bytes, over the 1000-byte limit/);
  });

  it('refuses invalid UTF-8 bytes', () => {
    const bytes = Buffer.concat([Buffer.from('<x>'), Buffer.from([0xc3, 0x28]), Buffer.from('</x>')]);
    expect(() => parseXml(bytes)).toThrow(/not valid UTF-8/);
  });

  it('reports malformed XML in one line', () => {
    expect(() => parseXml('<x><y></x>')).toThrow(/^XML is not well-formed: [^\n]+$/);
  });

  it('refuses absurdly deep nesting without crashing', () => {
    const deep = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
    expect(() => parseXml(deep)).toThrow(XmlInputError);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters in text and attributes', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
  it('refuses characters XML 1.0 cannot carry', () => {
    expect(() => escapeXml('bell\u0007')).toThrow(XmlInputError);
  });
});
