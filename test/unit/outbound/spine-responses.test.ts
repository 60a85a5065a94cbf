import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../../src/outbound/index.js';

const dir = join(import.meta.dirname, '../../fixtures/spine/responses');
const { cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as {
  cases: {
    name: string;
    file: string;
    status: number;
    workflow: string;
    expect: Record<string, string> & { kind: string };
  }[];
};
const ours = '9B3E6A20-5C1D-4F87-A2E9-D4C07B1F6E58';

/** Spine's recorded-style answers (test/fixtures/spine/responses) and what each means for our message. */
describe("classifyResponse on Spine's answers", () => {
  it.each(cases)('$name', ({ file, status, workflow, expect: want }) => {
    const body = Buffer.from(readFileSync(join(dir, file), 'utf8').replaceAll('{{REQUEST_ID}}', ours));
    const outcome = classifyResponse({ status, contentType: 'text/xml', body }, ours, workflow);
    expect(outcome.kind).toBe(want.kind);
    if (want.kind === 'replied') {
      expect(outcome).toMatchObject({ interactionId: want.interactionId });
      expect((outcome as { hl7: string }).hl7).toMatch(/^<QUPA_IN050000UK32[\s>]/);
      return;
    }
    const { kind: _kind, ...fields } = want;
    const errors = (outcome as { errors?: Record<string, string>[] }).errors;
    expect(errors?.[0]).toMatchObject(fields);
  });

  it('reads a MessageError in a MIME multipart answer with HTTP 500 too', () => {
    const xml = readFileSync(join(dir, 'message-error-unknown-cpaid.xml'), 'utf8');
    const body = Buffer.from(
      `--b1\r\nContent-Id: <e1@spine.nhs.uk>\r\nContent-Type: text/xml; charset=UTF-8\r\n\r\n${xml}\r\n--b1--\r\n`,
    );
    const outcome = classifyResponse(
      {
        status: 500,
        contentType: 'multipart/related; boundary="b1"; type="text/xml"; start="<e1@spine.nhs.uk>"',
        body,
      },
      ours,
    );
    expect(outcome).toMatchObject({ kind: 'rejected', errors: [{ errorCode: 'ValueNotRecognized' }] });
  });

  it('still retries a 500 whose body is neither a SOAP fault nor a MessageError', () => {
    const outcome = classifyResponse(
      { status: 500, contentType: 'text/html', body: Buffer.from('<html>Bad gateway</html>') },
      ours,
    );
    expect(outcome.kind).toBe('retry');
  });
});
