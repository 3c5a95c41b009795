-- Logos issuers uploaded: the pages show them (they load no image from elsewhere), for credentials whose own logo
-- is a URL of another site.
CREATE TABLE issuer_logos (
  issuer_slug  text PRIMARY KEY REFERENCES issuers(slug) ON DELETE CASCADE,
  media_type   text NOT NULL CHECK (media_type IN ('image/png', 'image/svg+xml')),
  bytes        bytea NOT NULL,
  sha256       text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
