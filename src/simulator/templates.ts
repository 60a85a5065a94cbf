// The two signals sent back for every message received, the Acknowledgment and e-RS's application
// acknowledgement, differ from one message to the next only in ids and times. Each shape is
// rendered once by the builders in messages.ts with stand-in values and cut where those are
// written; a message is then the pieces with its own values put back, and goes on to be signed
// (when the simulator signs) and framed as before. The cut is checked: a second rendering with
// other stand-ins must equal the template filled with them, or that shape is always built in full.
// Only values that no escaping or encoding alters are put back (ids of letters, digits, `_`, `.`
// and `-`; times as the builders' own formatters write them); anything else is built in full.
import { formatTimestamp, type HttpMessage, type MessageHeader, type MimePart } from '../ebxml/index.js';
import { APPLICATION_ACKNOWLEDGEMENT, hl7CreationTime } from '../hl7/index.js';
import type { RouteTable } from '../routing/index.js';
import {
  acknowledgmentWithId,
  applicationAckHl7,
  type BuildContext,
  ersEnvelope,
  signAndFrame,
} from './messages.js';

/** The ids a message carries and the time it is made. */
interface Sample {
  ids: string[];
  now: Date;
}

/** Two sets of stand-ins: the first is cut at, the second checks the cut. */
const STAND_INS: [Sample, Sample] = [
  { ids: [0, 1, 2, 3].map((i) => `ZZA${i}.s_i-ZZ`), now: new Date('2001-02-03T04:05:06Z') },
  { ids: [0, 1, 2, 3].map((i) => `ZZB${i}.s_i-ZZ`), now: new Date('2002-03-04T05:06:07Z') },
];

/** Written verbatim by every builder: no XML escape, cid: URL encoding or header rule changes it. */
const PLAIN = /^[\w.-]+$/;

/** How a sample's values are written: the ebXML and the HL7 timestamps, then the ids in order. */
function written(sample: Sample): string[] {
  return [formatTimestamp(sample.now), hl7CreationTime(sample.now), ...sample.ids];
}

/** Text cut where a sample's values are written: the literal pieces, and which value goes between. */
class Template {
  private constructor(
    private readonly pieces: string[],
    private readonly slots: number[],
  ) {}

  /** The template of `render`, or undefined when the second stand-ins show the cut is wrong. */
  static of(render: (sample: Sample) => string): Template | undefined {
    const [first, second] = STAND_INS;
    const values = written(first);
    const text = render(first);
    const pattern = new RegExp(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    const pieces: string[] = [];
    const slots: number[] = [];
    let at = 0;
    for (const match of text.matchAll(pattern)) {
      pieces.push(text.slice(at, match.index));
      slots.push(values.indexOf(match[0]));
      at = match.index + match[0].length;
    }
    pieces.push(text.slice(at));
    const template = new Template(pieces, slots);
    return template.fill(written(second)) === render(second) ? template : undefined;
  }

  fill(values: string[]): string {
    let text = this.pieces[0]!;
    for (let i = 0; i < this.slots.length; i++) text += values[this.slots[i]!]! + this.pieces[i + 1]!;
    return text;
  }
}

interface AcknowledgmentTemplate {
  contentType: string;
  soapAction: string;
  body: Template;
}

/**
 * By shape: our party, the actor, and what buildAcknowledgment reads of the received header besides
 * its ids (From party, CPAId). Null: that shape is built in full.
 */
const acknowledgments = new Map<string, AcknowledgmentTemplate | null>();
/** Shapes come from what the gateway sends: a flood of different ones must not grow the memory. */
const MAX_SHAPES = 64;

/** Spine's Acknowledgment of `received`, and its MessageId. */
export function acknowledgment(
  context: BuildContext,
  received: MessageHeader,
  actor: string | undefined,
): { message: HttpMessage; messageId: string } {
  const messageId = context.newId();
  const ids = [messageId, received.messageId, received.conversationId];
  const template = ids.every((id) => PLAIN.test(id))
    ? acknowledgmentTemplate(context, received, actor)
    : null;
  if (!template) return { message: acknowledgmentWithId(context, received, actor, messageId), messageId };
  const body = Buffer.from(template.body.fill(written({ ids, now: context.now })), 'utf8');
  return { message: { contentType: template.contentType, soapAction: template.soapAction, body }, messageId };
}

/** The shape's template (exported for its test); null when the shape is always built in full. */
export function acknowledgmentTemplate(
  context: BuildContext,
  received: MessageHeader,
  actor: string | undefined,
): AcknowledgmentTemplate | null {
  const shape = JSON.stringify([
    context.parties.partyKey,
    received.from.id,
    received.from.type,
    received.cpaId,
    actor,
  ]);
  let template = acknowledgments.get(shape);
  if (template !== undefined) return template;
  const render = ({ ids, now }: Sample) =>
    acknowledgmentWithId(
      { ...context, now },
      { ...received, messageId: ids[1]!, conversationId: ids[2]! },
      actor,
      ids[0]!,
    );
  const sample = render(STAND_INS[0]);
  const body = Template.of((s) => render(s).body.toString('utf8'));
  template = body ? { contentType: sample.contentType, soapAction: sample.soapAction, body } : null;
  if (acknowledgments.size >= MAX_SHAPES) acknowledgments.clear();
  acknowledgments.set(shape, template);
  return template;
}

type AckTypeCode = 'AA' | 'AE' | 'AR';

interface ApplicationAckTemplate {
  /** For the SOAPAction, which is the same for every message of the shape. */
  header: MessageHeader;
  hl7: Template;
  envelope: Template;
  contentId: Template;
  part: Pick<MimePart, 'contentType' | 'transferEncoding'>;
}

/** Per route table (the shape's CPA and reliability come from it), by type code and parties. */
const applicationAcks = new WeakMap<RouteTable, Map<string, ApplicationAckTemplate | null>>();

/**
 * e-RS's application acknowledgement (as applicationAckMessage builds it) and its MessageId. One
 * that says `why` (an answer e-RS refused) is built in full.
 */
export function applicationAck(
  context: BuildContext,
  answered: { messageId: string; hl7MessageId: string; conversationId: string },
  typeCode: AckTypeCode,
  why?: string,
): { message: HttpMessage; messageId: string } {
  const messageId = context.newId();
  // Sample order: the ack's MessageId, ConversationId, RefToMessageId, then the HL7 messageRef.
  const ids = [messageId, answered.conversationId, answered.messageId, answered.hl7MessageId];
  const template =
    why === undefined && ids.every((id) => PLAIN.test(id)) ? applicationAckTemplate(context, typeCode) : null;
  if (!template) {
    const { header, built } = applicationAckParts(context, typeCode, ids, why);
    return { message: signAndFrame(context, header, built), messageId };
  }
  const values = written({ ids, now: context.now });
  const hl7 = template.hl7.fill(values);
  const part: MimePart = {
    ...template.part,
    contentId: template.contentId.fill(values),
    content: Buffer.from(hl7, 'utf8'),
  };
  const built = { envelopeXml: template.envelope.fill(values), parts: [part] };
  return { message: signAndFrame(context, template.header, built), messageId };
}

/** The HL7 and the unsigned envelope and parts, in full, from the ids in sample order. */
function applicationAckParts(context: BuildContext, typeCode: AckTypeCode, ids: string[], why?: string) {
  const [messageId, conversationId, refToMessageId, messageRef] = ids as [string, string, string, string];
  const hl7 = applicationAckHl7(context, messageId, messageRef, typeCode, why);
  return {
    hl7,
    ...ersEnvelope(context, APPLICATION_ACKNOWLEDGEMENT, hl7, { messageId, conversationId, refToMessageId }),
  };
}

/** The shape's template (exported for its test); null when the shape is always built in full. */
export function applicationAckTemplate(
  context: BuildContext,
  typeCode: AckTypeCode,
): ApplicationAckTemplate | null {
  let byShape = applicationAcks.get(context.routes);
  if (!byShape) {
    byShape = new Map();
    applicationAcks.set(context.routes, byShape);
  }
  const shape = JSON.stringify([typeCode, context.parties]);
  let template = byShape.get(shape);
  if (template !== undefined) return template;
  const render = ({ ids, now }: Sample) => applicationAckParts({ ...context, now }, typeCode, ids);
  const [first, second] = STAND_INS.map(render) as [ReturnType<typeof render>, ReturnType<typeof render>];
  const onePart = (parts: MimePart[]) =>
    parts.length === 1
      ? { contentType: parts[0]!.contentType, transferEncoding: parts[0]!.transferEncoding }
      : undefined;
  const part = onePart(first.built.parts);
  const hl7 = Template.of((s) => render(s).hl7);
  const envelope = Template.of((s) => render(s).built.envelopeXml);
  const contentId = Template.of((s) => render(s).built.parts[0]?.contentId ?? '');
  const sameShape =
    part !== undefined &&
    JSON.stringify(part) === JSON.stringify(onePart(second.built.parts)) &&
    [first, second].every((made) => made.built.parts[0]!.content.equals(Buffer.from(made.hl7, 'utf8'))) &&
    `${first.header.service}/${first.header.action}` === `${second.header.service}/${second.header.action}`;
  template =
    sameShape && hl7 && envelope && contentId
      ? { header: first.header, hl7, envelope, contentId, part }
      : null;
  byShape.set(shape, template);
  return template;
}
