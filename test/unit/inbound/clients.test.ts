import { describe, expect, it } from 'vitest';
import { partiesFor, senderFor } from '../../../src/inbound/index.js';

const spine = { commonName: 'msg.spine2.ncrs.nhs.uk', fingerprint256: 'AA:BB' };

describe('partiesFor (inbound client certificate → allowed From parties)', () => {
  it('allows any party when no list is configured', () => {
    expect(partiesFor(spine, [])).toEqual(['*']);
  });
  it('matches on common name or fingerprint (case-insensitive hex)', () => {
    expect(partiesFor(spine, [{ commonName: 'msg.spine2.ncrs.nhs.uk', parties: ['*'] }])).toEqual(['*']);
    expect(partiesFor(spine, [{ fingerprint256: 'aa:bb', parties: ['X26-9199246'] }])).toEqual([
      'X26-9199246',
    ]);
  });
  it('needs every given field to match', () => {
    expect(
      partiesFor(spine, [{ commonName: 'msg.spine2.ncrs.nhs.uk', fingerprint256: 'CC:DD', parties: ['*'] }]),
    ).toBeUndefined();
  });
  it('refuses a certificate no entry names', () => {
    expect(partiesFor(spine, [{ commonName: 'someone.else', parties: ['*'] }])).toBeUndefined();
    expect(partiesFor({}, [{ commonName: 'someone.else', parties: ['*'] }])).toBeUndefined();
  });
  it('unions the parties of every matching entry', () => {
    expect(
      partiesFor(spine, [
        { commonName: spine.commonName, parties: ['A-1'] },
        { fingerprint256: 'AA:BB', parties: ['B-2'] },
      ]),
    ).toEqual(['A-1', 'B-2']);
  });
});

describe('senderFor (who may sign for a TLS client)', () => {
  it('is the client’s own certificate, plus the signers its entries name', () => {
    expect(senderFor(spine, [])).toEqual({ parties: ['*'], signers: ['AA:BB'] });
    expect(
      senderFor(spine, [{ commonName: spine.commonName, parties: ['A-1'], signers: ['cc:dd'] }]),
    ).toEqual({ parties: ['A-1'], signers: ['AA:BB', 'CC:DD'] });
  });
  it('is undefined for a certificate no entry names', () => {
    expect(
      senderFor(spine, [{ commonName: 'someone.else', parties: ['*'], signers: ['AA:BB'] }]),
    ).toBeUndefined();
  });
});
