// What the PAS sends on `POST /` is checked before anything is stored or sent (issue 13): the
// payload must be well-formed HL7 XML without a DTD whose root is the Interaction-Id, and a
// control character in any field is a 400 naming the field, never a 500. Against the real
// gateway; each refused message is then looked up to show it was never stored.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapPayload } from '../../src/hl7/index.js';
import { getJson, type Harness, postJson, startHarness } from '../e2e/harness.js';

const INTERACTION = 'REPC_IN150016UK05';

describe('POST / input from the PAS', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const hl7 = (interactionId: string, messageId: string) =>
    wrapPayload(
      { interactionId, messageId, creationTime: new Date(), toAsid: '928942012545', fromAsid: h.config.asid },
      undefined,
    );

  async function post(body: (messageId: string) => Record<string, unknown>) {
    const messageId = randomUUID().toUpperCase();
    const response = await postJson(`${h.api}/`, body(messageId), {
      'Interaction-Id': INTERACTION,
      'wait-for-response': 'false',
      'Message-Id': messageId,
    });
    return { messageId, ...response };
  }

  /** A 400 problem naming `field`, and the message never stored (so never sent). */
  async function expectRefused(
    answer: Awaited<ReturnType<typeof post>>,
    field: string,
    message: RegExp,
  ): Promise<void> {
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const errors = answer.body.errors as { field: string; message: string }[];
    expect(errors[0]?.field).toBe(field);
    expect(errors[0]?.message).toMatch(message);
    expect(answer.body.detail).toBe(`${field}: ${errors[0]?.message}`);
    expect((await getJson(`${h.api}/messages/${answer.messageId}`)).status).toBe(404);
  }

  describe('the payload', () => {
    it('refuses a payload that is not XML', async () => {
      await expectRefused(
        await post(() => ({ payload: 'hello Spine' })),
        'payload',
        /^XML is not well-formed: /,
      );
    });

    it('refuses a payload with a DTD or entity, before any expansion', async () => {
      await expectRefused(
        await post((id) => ({
          payload: hl7(INTERACTION, id).replace(
            /^(<\?xml[^>]*\?>)?/,
            '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
          ),
        })),
        'payload',
        /declares a DTD or entity/,
      );
    });

    it('refuses a payload whose root is another interaction, or outside the HL7 namespace', async () => {
      await expectRefused(
        await post((id) => ({ payload: hl7('PRSC_IN090000UK09', id) })),
        'payload',
        /^root element is \{urn:hl7-org:v3\}PRSC_IN090000UK09; expected REPC_IN150016UK05/,
      );
      await expectRefused(
        await post(() => ({ payload: `<${INTERACTION}/>` })),
        'payload',
        /^root element is \{\}REPC_IN150016UK05; expected REPC_IN150016UK05 in urn:hl7-org:v3/,
      );
    });

    it('refuses HL7 without the wrapper Spine reads, such as the README placeholder', async () => {
      await expectRefused(
        await post(() => ({ payload: `<${INTERACTION} xmlns="urn:hl7-org:v3">…</${INTERACTION}>` })),
        'payload',
        new RegExp(`^not a whole HL7 message: ${INTERACTION}/id/@root is missing$`),
      );
    });

    it('refuses a control character in the payload', async () => {
      await expectRefused(
        await post((id) => ({ payload: hl7(INTERACTION, id).replace('</REPC', '\u0001</REPC') })),
        'payload',
        /^XML is not well-formed: /,
      );
    });
  });

  describe('control characters in other fields', () => {
    const attachment = (extra: Record<string, unknown> = {}) => ({
      is_base64: false,
      content_type: 'text/plain',
      payload: 'referral letter',
      description: 'letter',
      ...extra,
    });

    const cases: { name: string; body: Record<string, unknown>; field: string; message: RegExp }[] = [
      {
        name: 'NUL in an attachment description',
        body: { attachments: [attachment({ description: 'letter\u0000' })] },
        field: 'attachments[0].description',
        message: /^must not contain control characters \(U\+0000 at character 7\)$/,
      },
      {
        name: 'a line break in an attachment description',
        body: { attachments: [attachment(), attachment({ description: 'two\nlines' })] },
        field: 'attachments[1].description',
        message: /U\+000A at character 4/,
      },
      {
        name: 'ESC in an external attachment description',
        body: { external_attachments: [{ message_id: randomUUID(), description: 'scan\u001b[2J' }] },
        field: 'external_attachments[0].description',
        message: /U\+001B/,
      },
      {
        name: 'a control character in an external attachment id',
        body: { external_attachments: [{ message_id: `${randomUUID()}\u0007`, description: 'scan' }] },
        field: 'external_attachments[0].message_id',
        message: /without spaces, control characters or <>/,
      },
      {
        name: 'a C1 control in an external attachment id',
        body: { external_attachments: [{ message_id: `A\u0085B`, description: 'scan' }] },
        field: 'external_attachments[0].message_id',
        message: /control characters/,
      },
      {
        name: 'NUL in a text attachment',
        body: { attachments: [attachment({ payload: 'text\u0000more' })] },
        field: 'attachments[0].payload',
        message: /send binary content as base64/,
      },
      {
        name: 'base64 that is not base64',
        body: { attachments: [attachment({ is_base64: true, payload: 'not base64!' })] },
        field: 'attachments[0].payload',
        message: /^is_base64 is true but this is not base64$/,
      },
    ];
    for (const { name, body, field, message } of cases) {
      it(`refuses ${name} with a 400 naming ${field}`, async () => {
        await expectRefused(await post((id) => ({ payload: hl7(INTERACTION, id), ...body })), field, message);
      });
    }
  });

  it('accepts the same message with clean fields (202), attachments and all', async () => {
    const answer = await post((id) => ({
      payload: hl7(INTERACTION, id),
      attachments: [
        {
          is_base64: false,
          content_type: 'text/plain',
          payload: 'line one\r\n\tline two',
          description: 'letter',
        },
        {
          is_base64: true,
          content_type: 'application/pdf',
          payload: Buffer.from('%PDF-1.4').toString('base64'),
          description: 'scan',
        },
      ],
      external_attachments: [{ message_id: randomUUID().toUpperCase(), description: 'earlier scan' }],
    }));
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  });
});
