// Golden samples for every C&B interaction, in three forms (payload, HL7 message, ebXML MIME),
// each valid against our own schemas.
import { describe, expect, it } from 'vitest';
import { CAB_INTERACTIONS } from '../../../src/cab/index.js';
import { parseMessage } from '../../../src/ebxml/index.js';
import { parseWrapper } from '../../../src/hl7/index.js';
import { expectGolden, readGolden } from './golden.js';
import { cabSamples, ebxmlMime } from './samples.js';
import { expectValid, interactionSchema } from './xsd.js';

const SAMPLES = cabSamples();
const ENVELOPE_SCHEMA = 'schemas/ebms-msg-header-2.0.xsd';

describe('C&B golden samples', () => {
  it('cover every C&B interaction and the application acknowledgement', () => {
    expect(SAMPLES.map((s) => s.interactionId).sort()).toEqual(
      [...Object.keys(CAB_INTERACTIONS), 'MCCI_IN010000UK13'].sort(),
    );
  });

  describe.each(SAMPLES.map((s) => [s.interactionId, s] as const))('%s', (interactionId, sample) => {
    const schema = interactionSchema(interactionId);

    it('payload equals its golden file and is valid against the interaction schema', () => {
      if (sample.payload === undefined) return;
      expectGolden(`mim-samples/cab/payloads/${interactionId}.xml`, `${sample.payload}\n`);
      expectValid(schema, readGolden(`mim-samples/cab/payloads/${interactionId}.xml`));
    });

    it('HL7 message equals its golden file and is valid against the interaction schema', () => {
      expectGolden(`mim-samples/cab/${interactionId}.xml`, sample.hl7);
      expectValid(schema, readGolden(`mim-samples/cab/${interactionId}.xml`));
    });

    it('uses the wrapper the interaction table names', () => {
      const wrapper = parseWrapper(sample.hl7);
      const row = CAB_INTERACTIONS[interactionId as keyof typeof CAB_INTERACTIONS];
      const expected = row?.wrapper ?? 'A';
      expect(wrapper.acknowledgement === undefined ? 'S' : 'A').toBe(expected);
      if (row) expect(wrapper.payloadXml).toMatch(new RegExp(`^<${row.payload}[ >]`));
      if (expected === 'A') expect(wrapper.acknowledgement?.messageRef).toBe(sample.header.refToMessageId);
    });

    it('ebXML MIME equals its golden file; envelope and HL7 part are valid', () => {
      const { contentType, body } = ebxmlMime(sample);
      expectGolden(`mim-samples/cab/ebxml/${interactionId}.mime`, body);
      const parsed = parseMessage(contentType, readGolden(`mim-samples/cab/ebxml/${interactionId}.mime`));
      expect(parsed.header.action).toBe(interactionId);
      expect(parsed.header.messageId).toBe(parseWrapper(sample.hl7).messageId);
      expectValid(ENVELOPE_SCHEMA, parsed.envelopeXml, `${interactionId} envelope`);
      expect(parsed.payload?.content.toString('utf8')).toBe(sample.hl7);
      expectValid(schema, parsed.payload!.content, `${interactionId} HL7 part`);
    });
  });
});
