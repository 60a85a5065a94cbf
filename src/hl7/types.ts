export type ProcessingCode = 'P' | 'D' | 'T';
export type AcknowledgementType = 'AA' | 'AE' | 'AR';
export type IssueQualifier = 'ER' | 'WG' | 'IF';

/** Header fields of the transmission wrapper. */
export interface WrapperFields {
  interactionId: string;
  /** Upper-case UUID; mhs-gateway uses the ebXML `eb:MessageId` here. */
  messageId: string;
  creationTime: Date;
  /** P production (default), D debugging, T training. */
  processingCode?: ProcessingCode;
  toAsid: string;
  fromAsid: string;
  /** ASID in ControlActEvent/author1; defaults to fromAsid. */
  authorAsid?: string;
}

export interface AcknowledgementDetail {
  typeCode: IssueQualifier;
  code: string;
  displayName?: string;
  /** Defaults to AcknowledgementExceptionCode (OID.ackDetail) when building. */
  codeSystem?: string;
}

export interface AcknowledgementFields {
  typeCode: AcknowledgementType;
  /** Wrapper `id` of the message being acknowledged. */
  messageRef: string;
  details?: AcknowledgementDetail[];
}

/** A ControlActEvent/reason (detected issue), e.g. the business error behind an AE. */
export interface BusinessReason {
  code: string;
  displayName?: string;
  qualifier: IssueQualifier;
  /** Defaults to EBSResponseCodes (OID.ebsResponse) when building. */
  codeSystem?: string;
}

export interface ParsedWrapper {
  interactionId: string;
  messageId: string;
  creationTime?: string;
  versionCode?: string;
  processingCode?: string;
  toAsid?: string;
  fromAsid?: string;
  acknowledgement?: AcknowledgementFields;
  reasons: BusinessReason[];
  /**
   * The element under ControlActEvent/subject, cut from the received text, with the namespace
   * declarations it inherited added to its start tag so it parses on its own; undefined when absent.
   */
  payloadXml?: string;
}

export interface ApplicationAcknowledgement {
  messageId: string;
  typeCode: AcknowledgementType;
  messageRef: string;
  details: NonNullable<AcknowledgementFields['details']>;
  reasons: BusinessReason[];
}
