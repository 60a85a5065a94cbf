import { createPrivateKey, type KeyObject, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createError } from '../errors/index.js';
import { readPkcs12 } from '../security/pki/index.js';
import { clientAssertion, tokenRequestBody } from './jwt.js';

export interface TokenSettings {
  tokenUrl: string;
  apiKey: string;
  keyId: string;
  privateKey: KeyObject;
  timeoutMs: number;
  clock?: () => Date;
}

/** A token is renewed this long before e-RS would refuse it, so no call carries one about to expire. */
const EXPIRY_MARGIN_MS = 30_000;

/** Thrown when no token can be had; the message never carries the token or the assertion. */
export class TokenError extends createError('ERS_TOKEN_UNAVAILABLE', 502, 'No e-RS access token') {}

/** Reads the signing key: PEM, or PKCS#12 (.p12/.pfx) with its password, as the TLS keys are. */
export function loadSigningKey(file: string, password: string): KeyObject {
  const bytes = readFileSync(file);
  if (/\.(p12|pfx)$/i.test(file)) return createPrivateKey(readPkcs12(bytes, password).keyPem);
  return createPrivateKey(password ? { key: bytes, passphrase: password } : bytes);
}

/**
 * Access tokens for application-restricted calls: one cached until shortly before it expires, one
 * refresh at a time (callers arriving during a refresh share it), renewed on demand after a 401.
 * Tokens are never logged; `refreshes` counts exchanges for the metrics.
 */
export class TokenClient {
  private current?: { token: string; expiresAt: number };
  private refreshing?: Promise<string>;
  refreshes = 0;
  private readonly clock: () => Date;

  constructor(
    private readonly settings: TokenSettings,
    private readonly onRefresh: (ok: boolean) => void = () => undefined,
  ) {
    this.clock = settings.clock ?? (() => new Date());
  }

  async token(): Promise<string> {
    const now = this.clock().getTime();
    if (this.current && this.current.expiresAt - EXPIRY_MARGIN_MS > now) return this.current.token;
    return this.refresh();
  }

  /** Drops `stale` (a token e-RS refused) and gets a new one, unless another caller already did. */
  async renew(stale: string): Promise<string> {
    if (this.current && this.current.token !== stale) return this.current.token;
    this.current = undefined;
    return this.refresh();
  }

  private refresh(): Promise<string> {
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async exchange(): Promise<string> {
    const { tokenUrl, apiKey, keyId, privateKey, timeoutMs } = this.settings;
    const assertion = clientAssertion(privateKey, {
      apiKey,
      tokenUrl,
      keyId,
      jti: randomUUID(),
      now: this.clock(),
    });
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: tokenRequestBody(assertion),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      this.onRefresh(false);
      throw new TokenError(`token endpoint unreachable: ${(error as Error).message}`);
    }
    const text = (await response.text()).slice(0, 10_000);
    if (response.status !== 200) {
      this.onRefresh(false);
      // The platform's error body names the problem (e.g. invalid kid); it holds no secret.
      throw new TokenError(`token endpoint answered ${response.status}: ${oneLine(text).slice(0, 300)}`);
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      this.onRefresh(false);
      throw new TokenError('token endpoint answered 200 without JSON');
    }
    const seconds = Number(body.expires_in);
    if (
      typeof body.access_token !== 'string' ||
      body.access_token === '' ||
      !Number.isFinite(seconds) ||
      seconds <= 0
    ) {
      this.onRefresh(false);
      throw new TokenError('token endpoint answered without access_token and expires_in');
    }
    this.refreshes += 1;
    this.onRefresh(true);
    this.current = { token: body.access_token, expiresAt: this.clock().getTime() + seconds * 1000 };
    return body.access_token;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
