// The eb:MessageHeader checks that answer a MessageError (docs/conformance.md, H2), in the order the
// sender is told about them.
import { MSH_SERVICE, parseTimestamp, SPINE_ERRORS, soapActionMismatch } from '../../ebxml/index.js';
import { mayActFor } from '../clients.js';
import type { Check } from './check.js';
import type { Received } from './received.js';

/** MSH-service requests we answer on the same connection (conformance X1); other MSH actions are NotSupported. */
export const MSH_REQUESTS: readonly string[] = ['Ping', 'StatusRequest'];

/** The client certificate may speak for the eb:From party. */
export const senderMaySpeakForFrom: Check<Received> = ({ message, sender }) =>
  mayActFor(sender, message.header.from.id)
    ? undefined
    : {
        errorCode: 'SecurityFailure',
        severity: 'Error',
        description: `the client certificate is not allowed to send for party ${message.header.from.id}`,
        location: 'eb:MessageHeader/eb:From/eb:PartyId',
      };

export const addressedToUs: Check<Received> = ({ message, partyKey }) =>
  message.header.to.id === partyKey
    ? undefined
    : { ...SPINE_ERRORS.toPartyNotUs, location: 'eb:MessageHeader/eb:To/eb:PartyId' };

export const cpaIdKnown: Check<Received> = ({ message, routes }) =>
  routes.findByCpaId(message.header.cpaId)
    ? undefined
    : { ...SPINE_ERRORS.unknownCpaId, location: 'eb:MessageHeader/eb:CPAId' };

/** A business action must be one we have a route for (MSH actions are judged by mshActionSupported). */
export const actionKnown: Check<Received> = ({ message: { header }, routes }) =>
  header.service === MSH_SERVICE || routes.has(header.action)
    ? undefined
    : {
        errorCode: 'ValueNotRecognized',
        severity: 'Error',
        description: `unknown action ${header.action}`,
        location: 'eb:MessageHeader/eb:Action',
      };

/**
 * An interaction may belong to several services (an application acknowledgement comes under the
 * service of whatever it answers), so the check is against all of them.
 */
export const actionInService: Check<Received> = ({ message: { header }, routes }) =>
  header.service === MSH_SERVICE || routes.servicesOf(header.action).includes(header.service)
    ? undefined
    : {
        errorCode: 'ValueNotRecognized',
        severity: 'Error',
        description: `action ${header.action} is not part of service ${header.service}`,
        location: 'eb:MessageHeader/eb:Service',
      };

export const soapActionConsistent: Check<Received> = ({ message }) => {
  const mismatch = soapActionMismatch(message.soapAction, message.header);
  return mismatch
    ? { errorCode: 'Inconsistent', severity: 'Error', description: mismatch, location: 'SOAPAction' }
    : undefined;
};

/** An MSH-service message (not a signal) must be a request this MSH answers. */
export const mshActionSupported: Check<Received> = ({ message: { header, kind } }) =>
  header.service !== MSH_SERVICE || kind !== 'message' || MSH_REQUESTS.includes(header.action)
    ? undefined
    : {
        errorCode: 'NotSupported',
        severity: 'Error',
        description: `${header.action} is not supported by this MSH`,
        location: 'eb:MessageHeader/eb:Action',
      };

export const timeToLiveNotPassed: Check<Received> = ({ message: { header }, now }) => {
  if (!header.timeToLive) return undefined;
  const ttl = parseTimestamp(header.timeToLive);
  return ttl && ttl.getTime() < now.getTime()
    ? {
        errorCode: 'TimeToLiveExpired',
        severity: 'Error',
        description: `TimeToLive ${header.timeToLive} has passed`,
        location: 'eb:MessageHeader/eb:MessageData/eb:TimeToLive',
      }
    : undefined;
};

export const HEADER_CHECKS: readonly Check<Received>[] = [
  senderMaySpeakForFrom,
  addressedToUs,
  cpaIdKnown,
  actionKnown,
  actionInService,
  soapActionConsistent,
  mshActionSupported,
  timeToLiveNotPassed,
];
