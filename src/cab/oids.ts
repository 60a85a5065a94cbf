// OIDs C&B payloads use beyond the wrapper's (src/hl7 OID): SDS identifiers of a referrer and
// the code systems of the cancellation and did-not-attend reasons (MIM OID catalogue).
export const CAB_OID = {
  sdsRoleProfile: '1.2.826.0.1285.0.2.0.67',
  sdsUser: '1.2.826.0.1285.0.2.0.65',
  sdsOrganisation: '1.2.826.0.1285.0.1.10',
  reasonForApptCancel: '2.16.840.1.113883.2.1.3.2.4.16.18',
  reasonForDna: '2.16.840.1.113883.2.1.3.2.4.16.19',
} as const;
