import { describe, expect, it } from 'vitest';
import { EbxmlFault, frameMime, parseContentType, parseMime } from '../../../src/ebxml/index.js';

function mimeFault(run: () => unknown): EbxmlFault {
  try {
    run();
  } catch (error) {
    if (error instanceof EbxmlFault) return error;
    throw error;
  }
  throw new Error('expected an EbxmlFault');
}

const CT = 'multipart/related; boundary="b1"; type="text/xml"; start="<root@x>"';
const body = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');
const twoParts = body(
  '--b1\nContent-Id: <root@x>\n\n<r/>\n--b1\nContent-Id: <p@x>\nContent-Type: text/plain\n\nhello\n--b1--\n',
);

describe('parseContentType', () => {
  it('reads parameters in any order and case, quoted, unquoted and with escapes', () => {
    const { mediaType, params } = parseContentType(
      'Multipart/Related ; START=<a@b>; boundary="x;y\\"z" ; type=text/xml; charset="UTF-8"; flag',
    );
    expect(mediaType).toBe('multipart/related');
    expect(Object.fromEntries(params)).toEqual({
      start: '<a@b>',
      boundary: 'x;y"z',
      type: 'text/xml',
      charset: 'UTF-8',
    });
  });
});

describe('parseMime', () => {
  it('splits parts and finds the root by start', () => {
    const { root, parts } = parseMime(CT, twoParts);
    expect(root.contentId).toBe('root@x');
    expect(root.content.toString()).toBe('<r/>');
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ contentId: 'p@x', contentType: 'text/plain', transferEncoding: '7bit' });
    expect(parts[0]?.content.toString()).toBe('hello');
  });

  it('splits on bytes, so multibyte characters next to delimiters survive', () => {
    const text = '€'.repeat(3);
    const { parts } = parseMime(
      CT,
      body(`--b1\nContent-Id: <root@x>\n\n<r/>\n--b1\nContent-Id: <p@x>\n\n${text}\n--b1--`),
    );
    expect(parts[0]?.content.toString('utf8')).toBe(text);
  });

  it('keeps a part’s own trailing line breaks: only the one before the delimiter is dropped', () => {
    const { parts } = parseMime(
      CT,
      body('--b1\nContent-Id: <root@x>\n\n<r/>\n--b1\nContent-Id: <p@x>\n\nline\n\n--b1--'),
    );
    expect(parts[0]?.content.toString()).toBe('line\r\n');
  });

  it('treats a plain XML body as the root alone, and sniffs a body without Content-Type', () => {
    expect(parseMime('text/xml; charset=UTF-8', Buffer.from('<x/>')).parts).toEqual([]);
    expect(parseMime('application/xml', Buffer.from('<x/>')).root.content.toString()).toBe('<x/>');
    expect(parseMime(undefined, Buffer.from('\uFEFF<x/>')).root.content.toString()).toBe('\uFEFF<x/>');
    expect(parseMime(undefined, twoParts).root.contentId).toBe('root@x');
  });

  it('accepts a part that ends right after its headers', () => {
    const { parts } = parseMime(
      CT,
      body('--b1\nContent-Id: <root@x>\n\n<r/>\n--b1\nContent-Id: <p@x>\n--b1--'),
    );
    expect(parts[0]).toMatchObject({ contentId: 'p@x' });
    expect(parts[0]?.content.length).toBe(0);
  });

  it('decodes quoted-printable soft breaks, escapes and padding', () => {
    const qp =
      '--b1\nContent-Id: <root@x>\n\n<r/>\n--b1\nContent-Id: <p@x>\nContent-Transfer-Encoding: quoted-printable\n\n' +
      'a=3Db =C3=A9t=C3=A9   \nsoft=\nbreak = kept\n--b1--';
    const { parts } = parseMime(CT, body(qp));
    expect(parts[0]?.content.toString('utf8')).toBe('a=b été\r\nsoftbreak = kept');
  });

  it('round-trips whatever frameMime writes', () => {
    const bytes = Buffer.from([0, 13, 10, 45, 45, 255]);
    const framed = frameMime('<e/>', [
      {
        contentId: 'a@x',
        contentType: 'application/octet-stream',
        transferEncoding: 'base64',
        content: bytes,
      },
      { contentId: 'b@x', contentType: 'text/plain', transferEncoding: '8bit', content: bytes },
    ]);
    const { root, parts } = parseMime(framed.contentType, framed.body);
    expect(root.content.toString()).toBe('<e/>');
    expect(parts.map((p) => p.content.equals(bytes))).toEqual([true, true]);
  });

  const faults: [string, string | undefined, Buffer, RegExp][] = [
    ['an unsupported media type', 'text/html', Buffer.from('<html/>'), /neither multipart\/related nor XML/],
    ['multipart/mixed', 'multipart/mixed; boundary=b1', twoParts, /not multipart\/related/],
    ['no delimiter at all', CT, Buffer.from('just text'), /no delimiter line/],
    ['a body that is neither XML nor MIME', undefined, Buffer.from('hello'), /neither XML nor MIME/],
    [
      'a duplicated Content-ID',
      CT,
      body('--b1\nContent-Id: <root@x>\n\n<r/>\n--b1\nContent-Id: <root@x>\n\nx\n--b1--'),
      /appears twice/,
    ],
    [
      'a malformed header line',
      CT,
      body('--b1\nContent-Id: <root@x>\n\n<r/>\n--b1\nnot a header\n\nx\n--b1--'),
      /malformed header/,
    ],
    [
      'an unknown transfer encoding',
      CT,
      body('--b1\nContent-Id: <root@x>\nContent-Transfer-Encoding: x-gzip\n\n<r/>\n--b1--'),
      /unknown Content-Transfer-Encoding/,
    ],
    ['only a closing delimiter', CT, body('--b1--\n'), /no parts/],
  ];
  it.each(faults)('refuses %s with MimeProblem', (_name, contentType, input, message) => {
    const fault = mimeFault(() => parseMime(contentType, input));
    expect(fault.error.errorCode).toBe('MimeProblem');
    expect(fault.error.description).toMatch(message);
    expect(fault.headerParsed).toBe(false);
  });

  it('applies the byte and part limits before any parsing', () => {
    expect(
      mimeFault(() => parseMime(CT, twoParts, { maxBytes: twoParts.length - 1 })).error.description,
    ).toMatch(/over the \d+-byte limit/);
    expect(() => parseMime(CT, twoParts, { maxBytes: twoParts.length })).not.toThrow();
    expect(mimeFault(() => parseMime(CT, twoParts, { maxParts: 1 })).error.description).toMatch(
      /more than 1 MIME parts/,
    );
    expect(() => parseMime(CT, twoParts, { maxParts: 2 })).not.toThrow();
  });

  it('caps the size of a part’s headers', () => {
    const huge = `--b1\nContent-Id: <root@x>\nX-Pad: ${'a'.repeat(20_000)}\n\n<r/>\n--b1--`;
    expect(mimeFault(() => parseMime(CT, body(huge))).error.description).toMatch(/bytes of headers/);
  });
});

describe('base64 parts (RFC 2045 §6.8)', () => {
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x2d, 0x2d, 0x7e]);
  const encodedPart = (encoded: string) =>
    parseMime(
      CT,
      Buffer.concat([
        body(
          '--b1\nContent-Id: <root@x>\n\n<r/>\n--b1\nContent-Id: <p@x>\nContent-Transfer-Encoding: base64\n\n',
        ),
        Buffer.from(encoded, 'latin1'),
        body('\n--b1--\n'),
      ]),
    ).parts[0]!.content;

  it('ignores every character outside the alphabet: line breaks, blanks, stray bytes', () => {
    const clean = bytes.toString('base64');
    const noisy = `${clean.slice(0, 4)}\r\n ${clean.slice(4, 9)}*\t${clean.slice(9, 12)}\u00e9!${clean.slice(12)}`;
    expect(noisy).not.toBe(clean);
    expect(encodedPart(noisy)).toEqual(bytes);
  });

  it('stops at padding: what follows "=" is not data', () => {
    const clean = bytes.toString('base64');
    expect(clean.endsWith('=')).toBe(true);
    expect(encodedPart(`${clean}QUJD`)).toEqual(bytes);
  });

  it('decodes unpadded endings of two and three characters', () => {
    expect(encodedPart('QQ')).toEqual(Buffer.from('A'));
    expect(encodedPart('QUI')).toEqual(Buffer.from('AB'));
  });

  it('refuses data cut part-way through a byte, naming the part', () => {
    const fault = mimeFault(() => encodedPart('QUJDR'));
    expect(fault.error.errorCode).toBe('MimeProblem');
    expect(fault.error.description).toMatch(/not valid base64: it ends part-way through a byte/);
  });

  it('decodes a large part with line breaks in one pass', () => {
    const big = Buffer.alloc(3_000_000, 0xa5);
    const encoded = big.toString('base64').replace(/.{76}/g, '$&\r\n');
    expect(encodedPart(encoded).equals(big)).toBe(true);
  });
});
