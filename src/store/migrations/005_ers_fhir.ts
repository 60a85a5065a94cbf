/** The e-RS FHIR side (docs/ers-fhir.md): worklists, referrals, attachments, the A008 budget, decisions. */
export const postgres = `
CREATE TABLE IF NOT EXISTS ers_worklist (
  service text NOT NULL,
  list text NOT NULL,
  ubrn text NOT NULL,
  version integer NOT NULL,
  PRIMARY KEY (service, list, ubrn)
);
CREATE TABLE IF NOT EXISTS ers_referrals (
  ubrn text PRIMARY KEY,
  version integer NOT NULL,
  state text NOT NULL,
  fhir text NOT NULL,
  fetched_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ers_budget (
  budget_key text NOT NULL,
  day text NOT NULL,
  used integer NOT NULL,
  PRIMARY KEY (budget_key, day)
);
CREATE TABLE IF NOT EXISTS ers_attachments (
  ubrn text NOT NULL,
  attachment_id text NOT NULL,
  url text NOT NULL,
  title text NOT NULL,
  content_type text NOT NULL,
  declared_size bigint,
  status text NOT NULL,
  sha256 text,
  size bigint,
  file text,
  detail text,
  attempts integer NOT NULL,
  next_attempt_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (ubrn, attachment_id)
);
CREATE INDEX IF NOT EXISTS ers_attachments_due ON ers_attachments (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS ers_decisions (
  idempotency_key text PRIMARY KEY,
  ubrn text NOT NULL,
  action text NOT NULL,
  fingerprint text NOT NULL,
  status text NOT NULL CHECK (status IN ('IN_PROGRESS', 'DONE')),
  outcome jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
`;

export const sqlite = `
CREATE TABLE IF NOT EXISTS ers_worklist (
  service TEXT NOT NULL,
  list TEXT NOT NULL,
  ubrn TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (service, list, ubrn)
);
CREATE TABLE IF NOT EXISTS ers_referrals (
  ubrn TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  fhir TEXT NOT NULL,
  fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ers_budget (
  budget_key TEXT NOT NULL,
  day TEXT NOT NULL,
  used INTEGER NOT NULL,
  PRIMARY KEY (budget_key, day)
);
CREATE TABLE IF NOT EXISTS ers_attachments (
  ubrn TEXT NOT NULL,
  attachment_id TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  content_type TEXT NOT NULL,
  declared_size INTEGER,
  status TEXT NOT NULL,
  sha256 TEXT,
  size INTEGER,
  file TEXT,
  detail TEXT,
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (ubrn, attachment_id)
);
CREATE INDEX IF NOT EXISTS ers_attachments_due ON ers_attachments (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS ers_decisions (
  idempotency_key TEXT PRIMARY KEY,
  ubrn TEXT NOT NULL,
  action TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL,
  outcome_json TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;
