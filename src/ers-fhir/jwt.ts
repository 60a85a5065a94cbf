// The application-restricted client assertion (NHS API platform "signed JWT" pattern): a JWT signed
// RS512 with the key whose public half is registered under `kid`, exchanged at the token URL for
// an access token. node:crypto only. Pure apart from the clock and id passed in.
import { createSign, type KeyObject } from 'node:crypto';

export interface AssertionClaims {
  /** The application's API key: both issuer and subject. */
  apiKey: string;
  /** The token URL exactly as POSTed to. */
  tokenUrl: string;
  keyId: string;
  /** Unique per assertion, so the platform can refuse a replay. */
  jti: string;
  now: Date;
  /** The platform accepts at most five minutes. */
  lifetimeSeconds?: number;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function clientAssertion(privateKey: KeyObject, claims: AssertionClaims): string {
  const iat = Math.floor(claims.now.getTime() / 1000);
  const header = { alg: 'RS512', typ: 'JWT', kid: claims.keyId };
  const payload = {
    iss: claims.apiKey,
    sub: claims.apiKey,
    aud: claims.tokenUrl,
    jti: claims.jti,
    iat,
    exp: iat + Math.min(claims.lifetimeSeconds ?? 60, 300),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA512').update(signingInput).sign(privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/** The form body of the client-credentials token request. */
export function tokenRequestBody(assertion: string): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  }).toString();
}
