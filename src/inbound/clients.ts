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
}

/**
 * The parties a client certificate may speak for: undefined when the certificate is not allowed
 * at all. With no list configured, any certificate the TLS layer accepted may speak for anyone.
 */
export function partiesFor(client: ClientIdentity, allowed: AllowedClient[]): string[] | undefined {
  if (allowed.length === 0) return ['*'];
  const matches = allowed.filter(
    (entry) =>
      (entry.commonName === undefined || entry.commonName === client.commonName) &&
      (entry.fingerprint256 === undefined ||
        entry.fingerprint256.toUpperCase() === client.fingerprint256?.toUpperCase()),
  );
  if (matches.length === 0) return undefined;
  return matches.flatMap((entry) => entry.parties);
}

export function describeClient(client: ClientIdentity): string {
  return `CN=${client.commonName ?? '(none)'} SHA-256 ${client.fingerprint256 ?? '(none)'}`;
}
