/**
 * microcred/service: the issuance service for those who run it (`import … from 'microcred/service'`).
 *
 * The HTTP app and server, their configuration, the OpenAPI document, the administration functions (issuers, API
 * keys, key rotation) and the database they use (embedded PGlite, or PostgreSQL with `DATABASE_URL`). The records,
 * mapping, issuing and verifying it is built on are the library entry, `microcred`.
 */
export { createApp } from './app.js';
export type { ServiceApp, RequestListener } from './app.js';
export { startServer } from './server.js';
export type { RunningServer } from './server.js';
export { serviceConfigFromEnv } from './config.js';
export type { ServiceConfig } from './config.js';
export { openApiDocument } from './openapi.js';

// Administration: what `microcred issuers …` and `microcred apikeys …` do.
export { createIssuer, createApiKey, rotateIssuerKey, issuerDid } from './admin.js';
export type { CreateIssuerOptions, CreatedIssuer } from './admin.js';

// The course catalogue and bulk jobs (CSV with a column mapping, or NDJSON), with the worker that issues them.
export { putCourse, getCourse, listCourses, listCourseHistory } from './courses.js';
export type { CatalogueEntry } from './courses.js';
export { submitJob, getJobStatus, listJobStatuses, readJobResults, cancelJob } from './jobs.js';
export type { JobLimits, JobStatus, SubmitJobOptions, ReadResultsOptions } from './jobs.js';
export { startJobWorker, runJobsUntilIdle } from './job-worker.js';
export type { JobWorker, JobWorkerOptions } from './job-worker.js';

// The service's database: the store is the service's own schema, so it is part of this entry, not one of its own.
export { openDb } from '../store/open.js';
export type { OpenDbOptions } from '../store/open.js';
export { migrate } from '../store/migrate.js';
export type { Db, Queryable, QueryResult } from '../store/db.js';
export type { Scope } from '../store/api-keys.js';
