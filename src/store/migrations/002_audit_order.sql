-- The audit log is read newest first by (at, id) and paged on that pair: one index serves both, and replaces the
-- (issuer_slug, at) one.
CREATE INDEX audit_log_by_issuer_at_id ON audit_log (issuer_slug, at, id);
DROP INDEX audit_log_by_issuer;
