// The API platform's token endpoint (POST /oauth2/token): a client-credentials grant with a signed
// JWT assertion, checked against the public half of the gateway's key, as the developer portal holds it.
import { createPrivateKey, createPublicKey, createVerify, type KeyObject, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { json } from './http.js';

export interface TokenSettings {
  apiKey: string;
  keyId: string;
  /** The gateway's signing key file: the simulator registers its public half, as the developer portal would. */
  privateKeyFile: string;
  keyPassword: string;
  /** The token URL the gateway uses: a client assertion's aud must be exactly this. */
  tokenUrl: string;
}

export class TokenEndpoint {
  lifetimeSeconds = 599;
  readonly issued: { at: string }[] = [];
  private readonly tokens = new Map<string, { expiresAt: number }>();
  private readonly usedJti = new Set<string>();
  private publicKey?: KeyObject;

  constructor(private readonly settings: TokenSettings) {}

  /** Whether an `Authorization` header carries a token issued here and not yet expired. */
  accepts(authorization: string | undefined): boolean {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    const issued = token ? this.tokens.get(token) : undefined;
    return issued !== undefined && issued.expiresAt >= Date.now();
  }

  /** Every token issued so far stops working now, as if it had expired early; answers how many. */
  expireAll(): number {
    const expired = this.tokens.size;
    this.tokens.clear();
    return expired;
  }

  /**
   * A token standing for a clinician's e-RS session (CIS2 login in real life), for trying the
   * user-restricted calls by hand; the FHIR endpoints accept it like any token issued here.
   */
  userSession(): { accessToken: string; expiresIn: number } {
    return { accessToken: this.issue(), expiresIn: this.lifetimeSeconds };
  }

  grant(form: string, response: http.ServerResponse) {
    const refusal = this.refusal(new URLSearchParams(form));
    if (refusal)
      return json(response, refusal.error === 'invalid_client' ? 401 : 400, {
        error: refusal.error,
        error_description: refusal.description,
      });
    const token = this.issue();
    json(response, 200, {
      access_token: token,
      expires_in: String(this.lifetimeSeconds),
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    });
  }

  private issue(): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { expiresAt: Date.now() + this.lifetimeSeconds * 1000 });
    this.issued.push({ at: new Date().toISOString() });
    return token;
  }

  /** Why the grant is refused, or undefined when it is good (its jti is then spent). */
  private refusal(fields: URLSearchParams): { error: string; description: string } | undefined {
    const invalid = (description: string) => ({ error: 'invalid_request', description });
    if (fields.get('grant_type') !== 'client_credentials')
      return { error: 'unsupported_grant_type', description: 'grant_type must be client_credentials' };
    if (fields.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return invalid('client_assertion_type is missing or wrong');
    const parts = (fields.get('client_assertion') ?? '').split('.');
    if (parts.length !== 3) return invalid('client_assertion is not a JWT');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return invalid('client_assertion is malformed');
    }
    if (header.alg !== 'RS512') return invalid('alg must be RS512');
    if (header.kid !== this.settings.keyId) return invalid('Invalid kid');
    const valid = createVerify('RSA-SHA512')
      .update(`${parts[0]}.${parts[1]}`)
      .verify(this.registeredKey(), Buffer.from(parts[2]!, 'base64url'));
    if (!valid) return invalid('signature is invalid');
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== this.settings.apiKey || claims.sub !== this.settings.apiKey)
      return invalid('iss and sub must be the API key');
    if (claims.aud !== this.settings.tokenUrl) return invalid('aud must be the token URL');
    if (typeof claims.exp !== 'number' || claims.exp <= now) return invalid('exp is in the past');
    if (claims.exp > now + 300) return invalid('exp is more than 5 minutes in the future');
    if (typeof claims.jti !== 'string' || this.usedJti.has(claims.jti))
      return invalid('jti is missing or reused');
    this.usedJti.add(claims.jti);
    return undefined;
  }

  private registeredKey(): KeyObject {
    this.publicKey ??= createPublicKey(
      createPrivateKey(
        this.settings.keyPassword
          ? { key: readFileSync(this.settings.privateKeyFile), passphrase: this.settings.keyPassword }
          : readFileSync(this.settings.privateKeyFile),
      ),
    );
    return this.publicKey;
  }
}
