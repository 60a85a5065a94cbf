import type { X509Certificate } from 'node:crypto';

/** Who is calling the inbound endpoint, from the TLS client certificate. */
export interface ClientIdentity {
  commonName?: string;
  fingerprint256?: string;
}

export interface AllowedClient {
  commonName?: string;
  fingerprint256?: string;
  /** From party keys this client may send for; `*` for any. */
  parties: string[];
  /**
   * SHA-256 fingerprints of certificates, besides the client's own TLS certificate, whose
   * XML signatures are accepted on messages this client sends (e.g. a party's separate signing key).
   */
  signers?: string[];
}

/** What one TLS client may do: send for these parties, with signatures by these certificates. */
export interface InboundSender {
  /** From parties (and, for signals, the parties whose messages it may answer); `*` for any. */
  parties: string[];
  /** SHA-256 fingerprints whose signatures are accepted; undefined: any trusted signer (no TLS client to bind to). */
  signers?: string[];
}

/** A caller with no TLS client behind it (tests, tools): any party, any trusted signer. */
export const ANY_SENDER: InboundSender = { parties: ['*'] };

function matching(client: ClientIdentity, allowed: AllowedClient[]): AllowedClient[] {
  return allowed.filter(
    (entry) =>
      (entry.commonName === undefined || entry.commonName === client.commonName) &&
      (entry.fingerprint256 === undefined ||
        entry.fingerprint256.toUpperCase() === client.fingerprint256?.toUpperCase()),
  );
}

/**
 * The parties a client certificate may speak for: undefined when the certificate is not allowed
 * at all. With no list configured, any certificate the TLS layer accepted may speak for anyone.
 */
export function partiesFor(client: ClientIdentity, allowed: AllowedClient[]): string[] | undefined {
  if (allowed.length === 0) return ['*'];
  const matches = matching(client, allowed);
  if (matches.length === 0) return undefined;
  return matches.flatMap((entry) => entry.parties);
}

/**
 * The sender a TLS client is, or undefined when its certificate is not allowed at all. Its
 * signatures must be made with its own certificate or one its entries name, never with just any
 * certificate the CA issued.
 */
export function senderFor(client: ClientIdentity, allowed: AllowedClient[]): InboundSender | undefined {
  const parties = partiesFor(client, allowed);
  if (!parties) return undefined;
  const configured = matching(client, allowed).flatMap((entry) => entry.signers ?? []);
  const own = client.fingerprint256 ? [client.fingerprint256] : [];
  return { parties, signers: [...own, ...configured].map((fp) => fp.toUpperCase()) };
}

export function mayActFor(sender: InboundSender, party: string | undefined): boolean {
  return sender.parties.includes('*') || (party !== undefined && sender.parties.includes(party));
}

/** Why `signer` may not sign for this sender, or undefined when it may. */
export function signerProblem(signer: X509Certificate, sender: InboundSender): string | undefined {
  if (!sender.signers || sender.signers.includes(signer.fingerprint256.toUpperCase())) return undefined;
  return `the signer certificate (SHA-256 ${signer.fingerprint256}) is neither the TLS client's own certificate nor one configured for it`;
}

export function describeClient(client: ClientIdentity): string {
  return `CN=${client.commonName ?? '(none)'} SHA-256 ${client.fingerprint256 ?? '(none)'}`;
}
