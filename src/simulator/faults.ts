// Fault injection: the faults in force (PUT /control/faults) and the counted ones, used up one
// message at a time. Only the gateway's own business messages meet them (docs/simulator.md).
import { randomUUID } from 'node:crypto';
import {
  buildMessageError,
  formatTimestamp,
  type HttpMessage,
  type MessageHeader,
  PARTY_TYPE,
} from '../ebxml/index.js';
import { spineSoapFault } from './messages.js';
import { DEFAULT_FAULTS, type Faults } from './state.js';

/** A transport answer a fault puts in place of the normal one, and how it is recorded. */
export interface InjectedAnswer {
  answer: { status: number; message: HttpMessage };
  describe: string;
}

export class FaultInjector {
  #faults: Faults;

  constructor(
    ackDelayMs: number,
    /** The simulator's party key: a MessageError comes from it. */
    private readonly partyKey: string,
  ) {
    this.#faults = { ...DEFAULT_FAULTS, delayMs: ackDelayMs };
  }

  /** The faults in force now (GET /control/faults). */
  get current(): Faults {
    return this.#faults;
  }

  /** Changes the faults named; the others are kept. */
  update(changes: Partial<Faults>): Faults {
    this.#faults = { ...this.#faults, ...changes };
    return this.#faults;
  }

  get dropAcks(): boolean {
    return this.#faults.dropAcks;
  }

  get applicationAck(): Faults['applicationAck'] {
    return this.#faults.applicationAck;
  }

  /** How long Spine takes to answer a POST itself. */
  get responseDelayMs(): number {
    return this.#faults.responseDelayMs ?? 0;
  }

  /** How long after receiving a message its signals are sent: they follow the transport answer, however slow. */
  get signalDelayMs(): number {
    return this.responseDelayMs + this.#faults.delayMs;
  }

  /** The next SOAP fault owed (HTTP 500), if any is left. */
  takeSoapFault(): InjectedAnswer | undefined {
    const { soapFault } = this.#faults;
    if (!soapFault || soapFault.times <= 0) return undefined;
    this.#faults.soapFault = { ...soapFault, times: soapFault.times - 1 };
    return {
      answer: { status: 500, message: spineSoapFault(soapFault.codes) },
      describe: `HTTP 500 SOAP fault ${soapFault.codes.join(',')}`,
    };
  }

  /** The answer owed to an ebXML business message instead of the normal one: a SOAP fault first, then a MessageError. */
  answerInstead(received: MessageHeader): InjectedAnswer | undefined {
    const soapFault = this.takeSoapFault();
    if (soapFault) return soapFault;
    const { messageError } = this.#faults;
    if (!messageError || messageError.times <= 0) return undefined;
    const { errorCode, description, status = 200, refersTo = 'messageId' } = messageError;
    this.#faults.messageError = { ...messageError, times: messageError.times - 1 };
    const answered = { ...received, messageId: received[refersTo] };
    const error = buildMessageError(answered, [{ errorCode, severity: 'Error', description }], {
      ourParty: { id: this.partyKey, type: PARTY_TYPE },
      messageId: randomUUID().toUpperCase(),
      timestamp: formatTimestamp(new Date()),
    });
    return { answer: { status, message: error }, describe: `HTTP ${status} MessageError ${errorCode}` };
  }

  /** True when the next e-RS request is to be sent twice (an MSH resending after a lost Acknowledgment). */
  takeDuplicateDelivery(): boolean {
    const left = this.#faults.duplicateDeliveries;
    if (!left || left <= 0) return false;
    this.#faults.duplicateDeliveries = left - 1;
    return true;
  }
}
