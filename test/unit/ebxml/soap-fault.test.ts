import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildSoapFault,
  isRetriableSoapFault,
  parseSoapFault,
  type SoapFault,
} from '../../../src/ebxml/index.js';

const spineFault = readFileSync(new URL('../../fixtures/inbound/spine-soap-fault.xml', import.meta.url));

describe('parseSoapFault', () => {
  it('reads Spine’s fault with its nasp:errorList elements', () => {
    expect(parseSoapFault(spineFault)).toEqual({
      faultcode: 'SOAP:Server',
      faultstring: 'Application Exception',
      errors: [
        {
          codeContext: 'urn:nhs:names:error:tms',
          errorCode: '200',
          severity: 'Error',
          location: 'Not Supported',
          description: 'System failure to process message - default',
        },
        {
          codeContext: 'urn:nhs:names:error:tms',
          errorCode: '206',
          severity: 'Error',
          description: 'Routing delivery failure',
        },
      ],
    });
  });

  it('matches by namespace, whatever the prefixes', () => {
    const xml = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode>
      <faultstring>x</faultstring><detail><e:errorList xmlns:e="http://national.carerecords.nhs.uk/schema/">
      <e:error><e:errorCode>201</e:errorCode></e:error></e:errorList></detail></s:Fault></s:Body></s:Envelope>`;
    expect(parseSoapFault(xml)?.errors).toEqual([{ errorCode: '201' }]);
  });

  it('returns undefined for anything that is not a SOAP fault', () => {
    expect(parseSoapFault('not xml')).toBeUndefined();
    expect(parseSoapFault('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toBeUndefined();
    expect(
      parseSoapFault(readFileSync(new URL('../../fixtures/inbound/acknowledgment.xml', import.meta.url))),
    ).toBeUndefined();
    expect(parseSoapFault('<Fault xmlns="urn:other"/>')).toBeUndefined();
  });

  it('reads back our own fault', () => {
    const fault = parseSoapFault(buildSoapFault('SOAP:Server', 'store <down> & out', 'retry later'));
    expect(fault).toEqual({ faultcode: 'SOAP:Server', faultstring: 'store <down> & out', errors: [] });
  });
});

describe('isRetriableSoapFault', () => {
  const fault = (...codes: string[]): SoapFault => ({
    faultcode: 'SOAP:Server',
    faultstring: 'Application Exception',
    errors: codes.map((errorCode) => ({ errorCode })),
  });

  it('retries only when every code is 200, 206 or 208', () => {
    expect(isRetriableSoapFault(fault('200'))).toBe(true);
    expect(isRetriableSoapFault(fault('206', '208', ' 200 '))).toBe(true);
    expect(isRetriableSoapFault(fault('200', '201'))).toBe(false);
    expect(isRetriableSoapFault(fault('300'))).toBe(false);
    expect(isRetriableSoapFault(fault())).toBe(false);
    expect(isRetriableSoapFault(parseSoapFault(spineFault)!)).toBe(true);
  });
});
