// Fixed inputs for the builders: realistic Spine values, fixed ids and timestamps.
import {
  ACTOR_NEXT_MSH,
  ACTOR_TO_PARTY_MSH,
  type MessageHeader,
  type OutboundMessage,
  PARTY_TYPE,
  type SignalContext,
} from '../../../src/ebxml/index.js';

export const MESSAGE_ID = 'F4D6A9B2-3C1E-4B7A-9E0D-2A5C8B1F6E93';
export const CONVERSATION_ID = '0B7E2C4D-9A1F-4E36-8D5B-C3F1A0E7B2D4';

export const forwardReliableHeader: MessageHeader = {
  from: { id: 'RTX-821088', type: PARTY_TYPE },
  to: { id: 'YES-0000806', type: PARTY_TYPE },
  cpaId: 'S918999714114',
  conversationId: CONVERSATION_ID,
  service: 'urn:nhs:names:services:ebs',
  action: 'PRSC_IN090000UK09',
  messageId: MESSAGE_ID,
  timestamp: '2026-01-05T10:00:00Z',
  refToMessageId: '5C9E1A7B-2D4F-4A8C-B6E3-1F0D7A9C4E25',
};

export const payloadXml = [
  '<PRSC_IN090000UK09 xmlns="urn:hl7-org:v3">',
  `  <id root="${MESSAGE_ID}"/>`,
  '  <creationTime value="20260105100000"/>',
  '  <interactionId root="2.16.840.1.113883.2.1.3.2.4.12" extension="PRSC_IN090000UK09"/>',
  '</PRSC_IN090000UK09>',
].join('\n');

export function forwardReliableMessage(): OutboundMessage {
  return {
    header: forwardReliableHeader,
    reliability: {
      duplicateElimination: true,
      ackRequested: { actor: ACTOR_NEXT_MSH, signed: false },
      syncReply: false,
    },
    payloadXml,
    attachments: [],
    externalAttachments: [],
  };
}

/** Bytes that are not UTF-8 text and include CR, LF and a MIME-looking dash line. */
export const binaryAttachment = Buffer.from([
  0x1f,
  0x8b,
  0x08,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x03,
  0x0d,
  0x0a,
  0x2d,
  0x2d,
  0xff,
  0xfe,
  0x00,
  0x80,
  ...Array.from({ length: 120 }, (_, i) => (i * 37) % 256),
]);

export const multibyteText = 'Référence: Zoë’s clinic — 東京 🏥\nline two\r\n';

export function messageWithAttachments(): OutboundMessage {
  return {
    header: { ...forwardReliableHeader, action: 'PRSC_IN080000UK07', refToMessageId: undefined },
    reliability: {
      duplicateElimination: true,
      ackRequested: { actor: ACTOR_TO_PARTY_MSH, signed: false },
      syncReply: true,
    },
    payloadXml,
    attachments: [
      {
        contentId: '8E1B5F3A-6C2D-4F9E-A7B0-D4C6E2F8A1B3@spine.nhs.uk',
        contentType: 'text/plain; charset=UTF-8',
        content: Buffer.from(multibyteText, 'utf8'),
        transferEncoding: '8bit',
        description: '<a&b> "quoted" \'single\'',
        documentId: '_letter1',
      },
      {
        contentId: '2F7C9A1E-4B3D-4E8F-9C6A-B1D5E3F7A2C9@spine.nhs.uk',
        contentType: 'application/octet-stream',
        content: binaryAttachment,
        transferEncoding: 'base64',
        description: 'Filename="scan.pdf.gz" ContentType=application/pdf Compressed=Yes',
      },
    ],
    externalAttachments: [
      {
        messageId: '9A3E7C1B-5D2F-4B8A-8E6C-F2A4D1B7C3E5',
        description: 'Filename="large.tif" ContentType=image/tiff LargeAttachment=Yes',
        documentId: 'large_1',
      },
    ],
  };
}

export const signalContext: SignalContext = {
  ourParty: { id: 'RTX-821088', type: PARTY_TYPE },
  messageId: '3D8F1B6C-7A2E-4C9D-B5F0-E1A3C7D9B2F4',
  timestamp: '2026-01-05T10:00:01Z',
};

/** An inbound message from e-RS through Spine, as the receiver sees its header. */
export const receivedHeader: MessageHeader = {
  from: { id: 'YES-0000806', type: PARTY_TYPE },
  to: { id: 'RTX-821088', type: PARTY_TYPE },
  cpaId: 'S918999714114',
  conversationId: 'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D',
  service: 'urn:nhs:names:services:ebs',
  action: 'PRSC_IN080000UK07',
  messageId: 'C7E2A9F1-3B5D-4E8C-A6F0-9D1B4E7A2C3F',
  timestamp: '2026-01-05T09:59:58Z',
};
