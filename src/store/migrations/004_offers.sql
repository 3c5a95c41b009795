-- Claim offers: getting a stored credential into a learner's wallet (VC-API exchanges for the Learner Credential
-- Wallet, OID4VCI pre-authorized codes for the others), the wallet copies they produce, and the claim e-mails.
-- Secrets (offer secrets, pre-authorized codes, PINs, challenges, nonces) are stored as sha256 only.

-- Per-issuer settings of claiming (defaults apply while an issuer has no row).
CREATE TABLE claim_settings (
  issuer_slug        text PRIMARY KEY REFERENCES issuers(slug),
  -- Days an offer stays claimable.
  offer_ttl_days     integer NOT NULL DEFAULT 30 CHECK (offer_ttl_days BETWEEN 1 AND 365),
  -- OID4VCI tx_code: digits of the PIN sent apart from the link; NULL = no PIN.
  tx_code_length     integer CHECK (tx_code_length BETWEEN 4 AND 12),
  -- Wrong PINs allowed before the offer is withdrawn.
  tx_code_max_attempts integer NOT NULL DEFAULT 5 CHECK (tx_code_max_attempts BETWEEN 1 AND 20),
  -- From address of claim e-mails (RFC 5322 mailbox); NULL = no e-mail for this issuer.
  mail_from          text,
  -- Languages of claim e-mails, in the order they appear ('en', 'cy').
  mail_languages     jsonb NOT NULL DEFAULT '["en"]',
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE claim_offers (
  -- Public handle (listing, revoking); not a secret.
  id               text PRIMARY KEY,
  issuer_slug      text NOT NULL REFERENCES issuers(slug),
  credential_id    text NOT NULL REFERENCES credentials(id),
  -- sha256 (hex) of the offer secret every link carries; the secret itself is never stored.
  secret_hash      text NOT NULL UNIQUE,
  -- sha256 of the OID4VCI pre-authorized code (derived from the secret), looked up by the token endpoint.
  code_hash        text NOT NULL UNIQUE,
  -- sha256 of (offer id, PIN) when the offer needs a tx_code; attempts are counted against the issuer's limit.
  tx_code_hash     text,
  tx_code_length   integer,
  tx_code_attempts integer NOT NULL DEFAULT 0,
  state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'claimed', 'revoked')),
  expires_at       timestamptz NOT NULL,
  -- When the pre-authorized code was exchanged for an access token (single use).
  code_used_at     timestamptz,
  claimed_at       timestamptz,
  revoked_at       timestamptz,
  revoked_reason   text,
  created_by       text NOT NULL,
  created_at       timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX claim_offers_by_credential ON claim_offers (issuer_slug, credential_id, created_at);

-- VC-API exchange challenges and OID4VCI c_nonces: single use, short-lived.
CREATE TABLE claim_nonces (
  nonce_hash  text PRIMARY KEY,
  issuer_slug text NOT NULL REFERENCES issuers(slug),
  -- The offer whose exchange handed out a challenge; NULL for OID4VCI nonces (the nonce endpoint is anonymous).
  offer_id    text REFERENCES claim_offers(id),
  purpose     text NOT NULL CHECK (purpose IN ('vcapi-challenge', 'oid4vci-nonce')),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX claim_nonces_by_expiry ON claim_nonces (expires_at);

-- The copy a wallet received: the original re-signed for the holder's DID, sharing the original's status entry
-- (same revocation and suspension index), so a status change of the original reaches every copy.
CREATE TABLE credential_copies (
  id           text PRIMARY KEY,
  issuer_slug  text NOT NULL REFERENCES issuers(slug),
  original_id  text NOT NULL REFERENCES credentials(id),
  offer_id     text NOT NULL UNIQUE REFERENCES claim_offers(id),
  holder_did   text NOT NULL,
  -- ldp_vc: Data Integrity eddsa-rdfc-2022 (JSON text); jwt_vc_json: OB 3.0 VC-JWT (compact JWS).
  format       text NOT NULL CHECK (format IN ('ldp_vc', 'jwt_vc_json')),
  protocol     text NOT NULL CHECK (protocol IN ('vcapi', 'vcapi-direct', 'oid4vci')),
  credential   text NOT NULL,
  key_id       text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX credential_copies_by_original ON credential_copies (original_id, created_at);
CREATE INDEX credential_copies_by_key ON credential_copies (issuer_slug, key_id);

-- Claim e-mails, sent after the issuing transaction by a worker that retries with backoff. The row holds no
-- address and no secret: the address is read from the credential row when sending, and each attempt makes a
-- fresh offer whose links exist only in that message.
CREATE TABLE mail_outbox (
  id              bigserial PRIMARY KEY,
  issuer_slug     text NOT NULL REFERENCES issuers(slug),
  credential_id   text NOT NULL REFERENCES credentials(id),
  kind            text NOT NULL CHECK (kind IN ('claim')),
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- A worker holds the row until then (a crashed worker's row becomes due again).
  locked_until    timestamptz,
  -- The offer the latest attempt created (withdrawn when a later attempt replaces it).
  offer_id        text REFERENCES claim_offers(id),
  outcome         text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX mail_outbox_by_credential ON mail_outbox (credential_id);
