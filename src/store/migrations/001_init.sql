-- microcred schema v1. Plain PostgreSQL: runs unchanged on PGlite and on a PostgreSQL server.

-- One row per issuer (awarding body) hosted by this deployment.
CREATE TABLE issuers (
  slug        text PRIMARY KEY CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62})$'),
  did         text NOT NULL UNIQUE,
  profile     jsonb NOT NULL,
  -- Directory holding the issuer's keyset.json and private key files (mode 0600). Never the keys themselves.
  keys_dir    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Public keys and WHERE each private key lives (a file name inside issuers.keys_dir); no key material.
CREATE TABLE issuer_keys (
  issuer_slug           text NOT NULL REFERENCES issuers(slug) ON DELETE CASCADE,
  key_id                text NOT NULL,
  alg                   text NOT NULL CHECK (alg IN ('Ed25519', 'ES256')),
  public_key_multibase  text NOT NULL,
  public_key_jwk        jsonb NOT NULL,
  private_key_file      text NOT NULL,
  active                boolean NOT NULL,
  created_at            timestamptz NOT NULL,
  PRIMARY KEY (issuer_slug, key_id)
);

-- Bitstring status lists. One row = one index space with two bitstrings of the same size: the revocation list
-- (referenced from credentialStatus) and the suspension list (same index). Bit i = MSB-first bit i of the bytea.
CREATE TABLE status_lists (
  id          serial PRIMARY KEY,
  issuer_slug text NOT NULL REFERENCES issuers(slug),
  seq         integer NOT NULL CHECK (seq >= 1),
  size        integer NOT NULL CHECK (size >= 131072 AND size % 8 = 0),
  -- Entries handed out before a new list starts (<= size; the default is size).
  capacity    integer NOT NULL CHECK (capacity >= 1 AND capacity <= size),
  used        integer NOT NULL DEFAULT 0,
  is_full     boolean NOT NULL DEFAULT false,
  revocation  bytea NOT NULL,
  suspension  bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issuer_slug, seq)
);

-- Which index of which list belongs to which credential. The primary key makes reuse impossible, also across
-- processes; rows are written in the issuing transaction, so a failed issuance leaves no used index behind.
CREATE TABLE status_allocations (
  list_id       integer NOT NULL REFERENCES status_lists(id),
  idx           integer NOT NULL CHECK (idx >= 0),
  credential_id text NOT NULL UNIQUE,
  PRIMARY KEY (list_id, idx)
);

CREATE TABLE credentials (
  id              text PRIMARY KEY,
  issuer_slug     text NOT NULL REFERENCES issuers(slug),
  record_id       text NOT NULL,
  -- sha256 of the canonical JSON of the validated record: tells a retry from a changed record.
  record_hash     text NOT NULL,
  format          text NOT NULL CHECK (format IN ('di', 'jwt')),
  -- Lookup keys for "credentials of this learner" (the signed credential holds the same data).
  learner_student_id text,
  learner_email   text,
  learner_did     text,
  status_list_id  integer NOT NULL,
  status_index    integer NOT NULL,
  status_entries  jsonb NOT NULL,
  -- The signed credential: JSON text (di) or the compact JWS (jwt).
  credential      text NOT NULL,
  key_id          text NOT NULL,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked', 'suspended')),
  reason          text,
  awarded_date    text NOT NULL,
  -- Set when a re-issue replaced this credential; only one current credential per (issuer, record, format).
  superseded_by   text,
  -- Millisecond precision so the (created_at, id) paging cursor round-trips exactly through JSON.
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (status_list_id, status_index) REFERENCES status_allocations(list_id, idx)
);
CREATE UNIQUE INDEX credentials_current_record ON credentials (issuer_slug, record_id, format) WHERE superseded_by IS NULL;
CREATE INDEX credentials_by_issuer_created ON credentials (issuer_slug, created_at, id);
CREATE INDEX credentials_by_student_id ON credentials (issuer_slug, learner_student_id);
CREATE INDEX credentials_by_email ON credentials (issuer_slug, learner_email);
CREATE INDEX credentials_by_did ON credentials (issuer_slug, learner_did);
CREATE INDEX credentials_by_key ON credentials (issuer_slug, key_id) WHERE status <> 'revoked';

-- API keys: only the sha256 of the bearer token is stored.
CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  issuer_slug  text NOT NULL REFERENCES issuers(slug),
  token_hash   text NOT NULL UNIQUE,
  scopes       jsonb NOT NULL,
  label        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

-- Who did what, when and why.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  issuer_slug text,
  action      text NOT NULL,
  target      text,
  reason      text,
  details     jsonb
);
CREATE INDEX audit_log_by_issuer ON audit_log (issuer_slug, at);
