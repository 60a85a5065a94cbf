// PRSC_IN100000UK06 payload: CancelledSlotList [LIST/PRMS], the provider withdrawing free slots it
// offered earlier. e-RS cannot refuse it; it answers with an application acknowledgement only.
import { el, renderXml } from '../hl7/index.js';
import { CabError } from './errors.js';
import { actId, payloadRootAttrs, readPayload } from './payload-xml.js';

export interface SlotCancellation {
  /** CancelledSlotList/id: a UUID the gateway generates. */
  listId: string;
  /** USRNs of the withdrawn slots; at least one. */
  usrns: string[];
}

const PAYLOAD = 'CancelledSlotList';

export function buildSlotCancellationPayload(cancellation: SlotCancellation): string {
  if (cancellation.usrns.length === 0) {
    throw new CabError(`${PAYLOAD} needs at least one slot`, `${PAYLOAD}/component`);
  }
  return renderXml(
    el(
      PAYLOAD,
      payloadRootAttrs('LIST', 'PRMS'),
      actId(cancellation.listId),
      cancellation.usrns.map((usrn) =>
        el(
          'component',
          { typeCode: 'COMP' },
          el('appointmentSlot', { classCode: 'SPLY', moodCode: 'SLOT' }, actId(usrn)),
        ),
      ),
    ),
  );
}

export function parseSlotCancellation(payloadXml: string): SlotCancellation {
  return readPayload(payloadXml, PAYLOAD, (root) => {
    const listId = root.required('hl7:id/@root');
    const slots = root.all('hl7:component/hl7:appointmentSlot');
    if (slots.length === 0) {
      const where = `${PAYLOAD}/component/appointmentSlot`;
      throw new CabError(`${where} is missing: the list needs at least one slot`, where);
    }
    return { listId, usrns: slots.map((slot) => slot.required('hl7:id/@root')) };
  });
}
