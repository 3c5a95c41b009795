-- The learner's credential page. Each credential gets an unguessable page token when its row is written (two
-- random v4 UUIDs: 244 random bits, base64url), so issuing needs no extra statement; existing rows get one now.
ALTER TABLE credentials
  ADD COLUMN page_token text NOT NULL
    DEFAULT translate(encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'base64'), '+/=', '-_'),
  -- Set when the issuer withdrew the page: it answers 404 from then on (the credential itself still verifies).
  ADD COLUMN page_withdrawn_at timestamptz;
CREATE UNIQUE INDEX credentials_page_token ON credentials (page_token);

-- What an issuer chose for its pages: search engines may index them only when it opts in.
CREATE TABLE issuer_page_settings (
  issuer_slug text PRIMARY KEY REFERENCES issuers(slug) ON DELETE CASCADE,
  indexable   boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Badge images issuers uploaded, one per achievement (a course code of the issuer); otherwise microcred draws one.
CREATE TABLE achievement_images (
  issuer_slug  text NOT NULL REFERENCES issuers(slug) ON DELETE CASCADE,
  course_code  text NOT NULL,
  media_type   text NOT NULL CHECK (media_type IN ('image/png', 'image/svg+xml')),
  bytes        bytea NOT NULL,
  sha256       text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer_slug, course_code)
);
