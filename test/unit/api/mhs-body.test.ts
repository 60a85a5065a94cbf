import { describe, expect, it } from 'vitest';
import { mhsRequestBodySchema } from '../../../src/api/mhs-request.js';

const attachment = (document_id: string) => ({
  is_base64: false,
  content_type: 'text/plain',
  payload: 'a note',
  description: 'note',
  document_id,
});

describe('POST / body: document_id', () => {
  it('makes a UUID starting with a digit a valid eb:id with Spine’s leading underscore', () => {
    const parsed = mhsRequestBodySchema.parse({
      payload: '<x/>',
      attachments: [attachment('6a7b4c68-8be8-46ba-8fbc-9b8313569380')],
      external_attachments: [
        { message_id: 'M1', description: 'd', document_id: '735BB673-D9C0-4B85-951E-98DD045C4713' },
      ],
    });
    expect(parsed.attachments?.[0]?.document_id).toBe('_6a7b4c68-8be8-46ba-8fbc-9b8313569380');
    expect(parsed.external_attachments?.[0]?.document_id).toBe('_735BB673-D9C0-4B85-951E-98DD045C4713');
  });

  it('leaves an id that is already an NCName as it is', () => {
    const parsed = mhsRequestBodySchema.parse({
      payload: '<x/>',
      attachments: [attachment('_735BB673-D9C0-4B85-951E-98DD045C4713'), attachment('doc-1')],
    });
    expect(parsed.attachments?.map((a) => a.document_id)).toEqual([
      '_735BB673-D9C0-4B85-951E-98DD045C4713',
      'doc-1',
    ]);
  });

  it('refuses an id no prefix can make an NCName, naming the field', () => {
    const result = mhsRequestBodySchema.safeParse({ payload: '<x/>', attachments: [attachment('a b:c')] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['attachments', 0, 'document_id']);
  });
});
