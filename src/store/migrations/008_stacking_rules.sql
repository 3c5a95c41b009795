-- Stacking: the parent courses of an issuer's catalogue with their stacking rules, and the wallet exchanges that
-- receive a learner's set of credentials for a check.

-- A parent course (the award micro-credentials stack towards) and its rules (src/schemas/stacking-rules.schema.json,
-- validated before it is stored). One current row per code: a PUT replaces the rules.
CREATE TABLE parent_courses (
  issuer_slug  text NOT NULL REFERENCES issuers(slug) ON DELETE CASCADE,
  code         text NOT NULL,
  rules        jsonb NOT NULL,
  -- sha256 of the canonical JSON of `rules`: an identical PUT changes nothing.
  content_hash text NOT NULL,
  created_by   text NOT NULL,
  updated_by   text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer_slug, code)
);

-- A request for a learner's credentials from a wallet (VC-API exchange). Two secrets, stored as sha256 only: the
-- wallet's (in the exchange URL the QR code carries) and the staff member's (in the URL of the result). The
-- result holds personal data, so a row lives only until it expires.
CREATE TABLE stacking_exchanges (
  id             text PRIMARY KEY,
  wallet_hash    text NOT NULL UNIQUE,
  view_hash      text NOT NULL UNIQUE,
  -- The rules to check against (copied from the parent course when the exchange starts, so the check uses what
  -- the staff member picked even if the course changes meanwhile), and which parent course they came from.
  rules          jsonb NOT NULL,
  issuer_slug    text REFERENCES issuers(slug) ON DELETE CASCADE,
  parent_code    text,
  -- sha256 of the challenge of the latest presentation request (each request replaces it).
  challenge_hash text,
  -- pending: waiting for the wallet; done: a presentation was accepted and `report` holds the result.
  state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
  report         jsonb,
  -- The accepted presentation and the challenge it answered (spent: it is never accepted again), so that the
  -- issuer can sign the transcript of the set without the wallet sending it twice.
  presentation   jsonb,
  challenge      text,
  expires_at     timestamptz NOT NULL,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  completed_at   timestamptz(3)
);
CREATE INDEX stacking_exchanges_by_expiry ON stacking_exchanges (expires_at);
