-- microcred schema v5: the course catalogue, the course version each credential was issued from, and bulk jobs.

-- An issuer's courses, versioned: a changed course is a new row with the next version; rows are never updated.
CREATE TABLE courses (
  issuer_slug  text NOT NULL REFERENCES issuers(slug) ON DELETE CASCADE,
  code         text NOT NULL,
  version      integer NOT NULL CHECK (version >= 1),
  -- Every course field of the completion record format, as the caller gave it (validated; not normalised, so a
  -- record overriding one field is merged with what the provider wrote, not with derived values).
  course       jsonb NOT NULL,
  -- sha256 of the canonical JSON of `course`: an identical PUT makes no new version.
  content_hash text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer_slug, code, version)
);

-- Which course (and catalogue version, when the record was completed from the catalogue) a credential is about.
ALTER TABLE credentials ADD COLUMN course_code text, ADD COLUMN course_version integer;
CREATE INDEX credentials_by_course ON credentials (issuer_slug, course_code, course_version) WHERE course_code IS NOT NULL;

-- Background bulk issuance. The input is stored in the database (not a local file) so any instance sharing it
-- can work on the job.
CREATE TABLE jobs (
  id           text PRIMARY KEY,
  issuer_slug  text NOT NULL REFERENCES issuers(slug),
  input_type   text NOT NULL CHECK (input_type IN ('csv', 'ndjson')),
  -- The column mapping of a CSV job (validated when the job was submitted).
  mapping      jsonb,
  -- { format, alg?, dryRun }
  options      jsonb NOT NULL,
  -- receiving: the input is being stored; queued: waiting for a worker; running; done; cancelled.
  state        text NOT NULL CHECK (state IN ('receiving', 'queued', 'running', 'done', 'cancelled')),
  total        integer NOT NULL DEFAULT 0,
  input_bytes  bigint NOT NULL DEFAULT 0,
  created_by   text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  started_at   timestamptz(3),
  finished_at  timestamptz(3),
  updated_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX jobs_by_issuer ON jobs (issuer_slug, created_at, id);
CREATE INDEX jobs_active ON jobs (created_at) WHERE state IN ('queued', 'running');

-- A job's rows in chunks: the unit a worker claims (FOR UPDATE SKIP LOCKED, with a lease so that the chunk of a
-- worker that died is taken up again) and commits in one transaction, together with its per-row results.
CREATE TABLE job_chunks (
  job_id       text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq          integer NOT NULL CHECK (seq >= 0),
  first_row    integer NOT NULL,
  row_count    integer NOT NULL CHECK (row_count >= 1),
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done')),
  -- The input rows ([{ row, line, record, problems }]); cleared when the chunk is done.
  items        jsonb,
  -- The per-row report ([{ row, line, recordId, outcome, credentialId, problems }]) once done.
  results      jsonb,
  issued       integer NOT NULL DEFAULT 0,
  existing     integer NOT NULL DEFAULT 0,
  rejected     integer NOT NULL DEFAULT 0,
  valid        integer NOT NULL DEFAULT 0,
  attempts     integer NOT NULL DEFAULT 0,
  lease_token  text,
  lease_until  timestamptz(3),
  claimed_by   text,
  done_at      timestamptz(3),
  PRIMARY KEY (job_id, seq)
);
CREATE INDEX job_chunks_open ON job_chunks (job_id, seq) WHERE state <> 'done';
CREATE INDEX job_chunks_done_at ON job_chunks (job_id, done_at) WHERE state = 'done';
