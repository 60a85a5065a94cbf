import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import {
  type Harness,
  postJson,
  putFaults,
  simulatorMessages,
  startHarness,
  waitForStatus,
} from './harness.js';

/** What SDS (the simulator's directory) holds; the gateway's own routes file says otherwise. */
const SDS = {
  partyKey: 'X26-9199246',
  cpaIds: {
    PRSC_IN080000UK07: 'S918999714114',
    PRSC_IN090000UK09: 'S918999714115',
    PRSC_IN040000UK08: 'S918999714117',
    PRSC_IN050000UK06: 'S918999714118',
    MCCI_IN010000UK13: 'S918999714125',
  } as Record<string, string>,
};
const SDS_KEY = 'sds-test-key';

/**
 * Issue 9: routes from the SDS FHIR API. The gateway's routes file has wrong CPA ids and To party
 * keys for every interaction these flows use, so only the values looked up in SDS can make them work.
 */
describe('routing from SDS', () => {
  let h: Harness;
  let control: number;
  beforeAll(async () => {
    control = await freePort();
    h = await startHarness({
      env: {
        MHS_SIMULATOR_CONTROL_PORT: String(control),
        MHS_SDS_URL: `http://127.0.0.1:${control}/sds`,
        MHS_SDS_API_KEY: SDS_KEY,
      },
      gatewayRoutes: (file) => {
        file.defaults.toPartyKey = 'WRONG-000001';
        for (const id of Object.keys(SDS.cpaIds))
          file.routes[id] = { ...file.routes[id], cpaId: `S-WRONG-${id}`, toPartyKey: 'WRONG-000002' };
      },
    });
  });
  afterAll(() => h?.close());

  it('the simulator serves SDS only with an apikey and a UUID X-Correlation-Id', async () => {
    const query = `organization=https://fhir.nhs.uk/Id/ods-organization-code|YES&identifier=https://fhir.nhs.uk/Id/nhsServiceInteractionId|urn:nhs:names:services:ebs:PRSC_IN090000UK09`;
    const url = `http://127.0.0.1:${control}/sds/Endpoint?${query}`;
    expect((await fetch(url, { headers: { 'X-Correlation-Id': randomUUID() } })).status).toBe(401);
    expect((await fetch(url, { headers: { apikey: SDS_KEY, 'X-Correlation-Id': 'nope' } })).status).toBe(400);
    const ok = await fetch(url, { headers: { apikey: SDS_KEY, 'X-Correlation-Id': randomUUID() } });
    expect(ok.status).toBe(200);
    const bundle = (await ok.json()) as { total: number; entry: { resource: { identifier: unknown[] } }[] };
    expect(bundle.total).toBe(1);
    expect(bundle.entry[0]!.resource.identifier).toContainEqual({
      system: 'https://fhir.nhs.uk/Id/nhsMhsCPAId',
      value: SDS.cpaIds.PRSC_IN090000UK09,
    });
  });

  it('a slot poll is accepted and answered with the CPA id and To party key from SDS', async () => {
    await putFaults(h, { applicationAck: 'AA' });
    const poll = (await postJson(`${h.control}/control/slot-polls`, {})).body as {
      messageId: string;
      gatewayResponse: { kind: string };
    };
    // The inbound CPA id is only known to the gateway through SDS (its own organisation's record).
    expect(poll.gatewayResponse.kind).toBe('acknowledgment');
    await h.pas.waitFor((d) => d.messageId === poll.messageId, 'the slot poll');
    const answer = await postJson(`${h.api}/cab/slot-responses`, {
      inResponseTo: poll.messageId,
      slots: [{ usrn: randomUUID(), start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:15:00Z' }],
    });
    expect(answer.status).toBe(202);
    const messageId = answer.body.messageId as string;
    await waitForStatus(h.api, messageId, 'COMPLETED');
    const seen = (await simulatorMessages(h)).find((m) => m.messageId === messageId);
    expect(seen).toMatchObject({
      action: 'PRSC_IN090000UK09',
      cpaId: SDS.cpaIds.PRSC_IN090000UK09,
      to: SDS.partyKey,
    });
  });

  it('a booking request is confirmed with the CPA id and To party key from SDS', async () => {
    await putFaults(h, { applicationAck: 'AA' });
    const sent = (await postJson(`${h.control}/control/booking-requests`, {})).body as {
      messageId: string;
      gatewayResponse: { kind: string };
    };
    expect(sent.gatewayResponse.kind).toBe('acknowledgment');
    await h.pas.waitFor((d) => d.messageId === sent.messageId, 'the booking request');
    const answer = await postJson(`${h.api}/cab/appointment-confirmations`, { inResponseTo: sent.messageId });
    expect(answer.status).toBe(202);
    const messageId = answer.body.messageId as string;
    await waitForStatus(h.api, messageId, 'COMPLETED');
    const seen = (await simulatorMessages(h)).find((m) => m.messageId === messageId);
    expect(seen).toMatchObject({
      action: 'PRSC_IN050000UK06',
      cpaId: SDS.cpaIds.PRSC_IN050000UK06,
      to: SDS.partyKey,
    });
  });
});
