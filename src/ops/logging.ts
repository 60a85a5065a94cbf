import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Fields that can carry patient data (payloads, mapped JSON, NHS numbers). Redacted unless the
 * operator explicitly turns redaction off; message, conversation and interaction ids stay visible.
 */
export const PATIENT_DATA_PATHS = [
  'hl7',
  'payload',
  'data',
  'body',
  'nhsNumber',
  // Attachment contents are clinical documents (the PAS message's `attachments`, base64).
  'attachments',
  '*.hl7',
  '*.payload',
  '*.data',
  '*.body',
  '*.nhsNumber',
  '*.attachments',
];

export interface LoggingOptions {
  level: string;
  redactPatientData: boolean;
  name?: string;
}

export function createLogger(options: LoggingOptions, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: options.name ?? 'mhs-gateway',
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: options.redactPatientData ? { paths: PATIENT_DATA_PATHS, censor: '[redacted]' } : undefined,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
