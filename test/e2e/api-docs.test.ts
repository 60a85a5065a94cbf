import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, type Harness, startHarness } from './harness.js';

describe('the API description', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('describes every Choose and Book endpoint from the schemas that validate it', async () => {
    const { status, body } = await getJson(`${h.api}/openapi.json`);
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const paths = body.paths as Record<
      string,
      { post?: { requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } } } }
    >;
    for (const path of [
      '/cab/slot-responses',
      '/cab/slot-cancellations',
      '/cab/appointment-confirmations',
      '/cab/appointment-rejections',
      '/cab/cancellation-confirmations',
      '/cab/cancellation-rejections',
      '/cab/appointment-cancellations',
      '/cab/did-not-attend-lists',
      '/',
    ]) {
      expect(paths[path]?.post, path).toBeDefined();
    }
    const slots = paths['/cab/slot-responses']!.post!.requestBody.content['application/json'].schema;
    expect(slots.required).toEqual(expect.arrayContaining(['inResponseTo', 'slots']));
    const dna = JSON.stringify(
      paths['/cab/did-not-attend-lists']!.post!.requestBody.content['application/json'].schema,
    );
    // Codes are accepted as words or codes: both appear in the description.
    expect(dna).toContain('patient-forgot');
  });

  it('serves a page to read it, without a build step', async () => {
    const response = await fetch(`${h.api}/docs/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('swagger-ui');
  });
});
