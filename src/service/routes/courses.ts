/**
 * An issuer's course catalogue: courses kept with every course field of the completion record format, versioned
 * (a change makes the next version; each credential names the version it was issued from).
 */
import { getCourse, listCourseHistory, listCourses, putCourse } from '../courses.js';
import { defineRoute, json } from '../http/declare.js';
import type { Router } from '../http/declare.js';
import { checkedElsewhere, integerParam, textParam } from '../http/inputs.js';
import { slug } from './schemas.js';

const code = textParam('path', 'Course code (as the student record system names the course).');
const entry = { type: 'object', required: ['code', 'version', 'course'], properties: { code: { type: 'string' }, version: { type: 'integer' }, course: { type: 'object' }, createdAt: { type: 'string' }, createdBy: { type: 'string' } } };
const courseUrl = (publicUrl: string, issuer: string, c: string): string => `${publicUrl}/issuers/${issuer}/courses/${encodeURIComponent(c)}`;

export const courses: Router = {
  name: 'courses',
  routes: [
    defineRoute({
      method: 'put',
      path: '/issuers/{slug}/courses/{code}',
      summary: 'Store a course in the catalogue (a change makes a new version)',
      description: 'The body is the course as in a completion record (title, outcomes, credits or workload, level, participation, assessment, QA, …), without code or version. An identical PUT changes nothing.',
      tags: ['catalogue'],
      auth: { scope: 'issue', issuer: 'path' },
      params: { slug, code },
      body: { required: true, content: { 'application/json': undefined }, fields: checkedElsewhere({ type: 'object', description: 'The course fields of a completion record.' }) },
      responses: { 200: json('Unchanged: the current version.', entry), 201: json('Stored as a new version.', entry) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer.', 422: 'Invalid course (every problem listed, with its JSON path).' },
      handler: async ({ path, body, principal }, { ctx }) => {
        const out = await putCourse(ctx, path.slug, path.code, body, { actor: principal?.actor as string });
        return { status: out.created ? 201 : 200, location: courseUrl(ctx.publicUrl, path.slug, path.code), json: out.entry };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/courses',
      summary: 'The catalogue: the current version of every course, by code (paged)',
      tags: ['catalogue'],
      auth: { scope: 'read', issuer: 'path' },
      params: { slug },
      query: { limit: integerParam('query', 'Page size (1-1000, default 100).', 1, 1000), after: textParam('query', 'Codes after this one (the "next" of the previous page).') },
      responses: { 200: json('{items, next?}: "next" is the URL of the following page.', { type: 'object', properties: { items: { type: 'array', items: entry }, next: { type: 'string' } } }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer.' },
      handler: async ({ path, query }, { ctx }) => {
        const page = await listCourses(ctx, path.slug, { ...(query.limit !== undefined ? { limit: query.limit } : {}), ...(query.after !== undefined ? { after: query.after } : {}) });
        if (!page.next) return { json: { items: page.items } };
        const next = new URL(`${ctx.publicUrl}/issuers/${path.slug}/courses`);
        if (query.limit !== undefined) next.searchParams.set('limit', String(query.limit));
        next.searchParams.set('after', page.next);
        return { json: { items: page.items, next: next.href } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/courses/{code}',
      summary: 'One course: the current version, or ?version=N',
      tags: ['catalogue'],
      auth: { scope: 'read', issuer: 'path' },
      params: { slug, code },
      query: { version: integerParam('query', 'A version (default: the current one).', 1, 2 ** 31 - 1) },
      responses: { 200: json('The course.', entry) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer, course or version.' },
      handler: async ({ path, query }, { ctx }) => ({ json: await getCourse(ctx, path.slug, path.code, query.version !== undefined ? { version: query.version } : {}) }),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/courses/{code}/versions',
      summary: 'Every version of a course, oldest first',
      tags: ['catalogue'],
      auth: { scope: 'read', issuer: 'path' },
      params: { slug, code },
      responses: { 200: json('{items}: the versions.', { type: 'object', properties: { items: { type: 'array', items: entry } } }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer or course.' },
      handler: async ({ path }, { ctx }) => ({ json: { items: await listCourseHistory(ctx, path.slug, path.code) } }),
    }),
  ],
};

