import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, type Harness, postJson, startHarness } from './harness.js';

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

  it("gives every request body a realistic example that passes the endpoint's own validator", async () => {
    const { body } = await getJson(`${h.api}/openapi.json`);
    type Operation = {
      description?: string;
      requestBody?: { content: Record<string, { example?: unknown }> };
    };
    const operations = Object.entries(body.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    const withBodies = operations.filter(({ operation }) => operation.requestBody);
    expect(withBodies.length).toBeGreaterThanOrEqual(10);
    for (const { path, method, operation } of withBodies) {
      const example = operation.requestBody!.content['application/json']?.example;
      expect(example, `${method} ${path} has no example`).toBeDefined();
      // Sent as "Try it out" would send it, to the live endpoint; only its validator may refuse it.
      const url = `${h.api}${path.replace('{messageId}', 'C1D2E3F4-A5B6-4C7D-8E9F-0A1B2C3D4E5F').replace('{ubrn}', '000012345678')}`;
      const headers: Record<string, string> =
        path === '/'
          ? { 'Interaction-Id': 'PRSC_IN100000UK06', 'wait-for-response': 'false' }
          : path.startsWith('/ers/')
            ? { 'Idempotency-Key': `api-docs-${method}-${path}` }
            : {};
      const answer = await postJson(url, example, headers);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).not.toBe(400);
      const text = JSON.stringify(example);
      if (text.includes('inResponseTo')) {
        // An answer's example names no real request: the gateway says so instead of sending it.
        expect(answer.status, path).toBe(404);
        expect(String(answer.body.detail)).toContain('REPLACE-WITH-messageId');
        expect(operation.description).toContain('`inResponseTo` must name a real request');
      } else if (path.startsWith('/cab/')) {
        expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(202);
      }
      // No generated nonsense: dates this side of 2100, lower-case UUIDs or upper-case ones, not both.
      for (const year of text.matchAll(/"(\d{4})-\d{2}-\d{2}T/g)) expect(Number(year[1])).toBeLessThan(2100);
      for (const [uuid] of text.matchAll(
        /[0-9a-zA-Z]{8}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{12}/g,
      ))
        expect([uuid.toLowerCase(), uuid.toUpperCase()], uuid).toContain(uuid);
    }
  });
});
