/** `microcred courses put|list`: an issuer's course catalogue, on a service over HTTP or on its data directory. */
import { UsageError, noPositionals, parse, printJson, readJson, type Command } from './command.js';
import { cliError, remoteOf, request, withLocalService } from './jobs-http.js';

interface Entry {
  code: string;
  version: number;
  course: { title?: unknown; credits?: { uk?: number; ects?: number }; workload?: { hours?: number } };
}

const FLAGS = { issuer: { type: 'string' }, server: { type: 'string' }, token: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean', default: false } } as const;

/** How much study a course is: its credits, else its workload in hours (never "0 credits"). */
function size(c: Entry['course']): string {
  const parts = [c.credits?.uk !== undefined ? `${c.credits.uk} UK credits` : '', c.credits?.ects !== undefined ? `${c.credits.ects} ECTS` : ''].filter(Boolean);
  if (parts.length > 0) return parts.join(', ');
  return c.workload?.hours !== undefined ? `${c.workload.hours} hours, no credit` : 'no credit';
}

async function put(slug: string, code: string, file: string, values: { server?: string; token?: string; data?: string }): Promise<{ created: boolean; entry: Entry }> {
  const course = await readJson(file, 'course');
  const remote = remoteOf(courses, values);
  if (remote) {
    const res = (await request(remote, 'PUT', `/issuers/${slug}/courses/${encodeURIComponent(code)}`, { json: course, raw: true })) as Response;
    return { created: res.status === 201, entry: (await res.json()) as Entry };
  }
  const { putCourse } = await import('../service/courses.js');
  return withLocalService(values.data, false, async ({ context }) => {
    const out = await putCourse(context, slug, code, course, { actor: 'cli' });
    return { created: out.created, entry: out.entry as unknown as Entry };
  });
}

async function list(slug: string, values: { server?: string; token?: string; data?: string }): Promise<Entry[]> {
  const remote = remoteOf(courses, values);
  const items: Entry[] = [];
  if (remote) {
    let next: string | undefined = `/issuers/${slug}/courses?limit=1000`;
    while (next) {
      const page = (await request(remote, 'GET', next)) as { items: Entry[]; next?: string };
      items.push(...page.items);
      next = page.next ? new URL(page.next).pathname + new URL(page.next).search : undefined;
    }
    return items;
  }
  const { listCourses } = await import('../service/courses.js');
  return withLocalService(values.data, false, async ({ context }) => {
    let after: string | undefined;
    for (;;) {
      const page = await listCourses(context, slug, { limit: 1000, ...(after !== undefined ? { after } : {}) });
      items.push(...(page.items as unknown as Entry[]));
      if (!page.next) return items;
      after = page.next;
    }
  });
}

export const courses: Command = {
  name: 'courses',
  synopsis: [
    'courses put CODE FILE --issuer SLUG [--server URL --token T | --data DIR] [--json]',
    'courses list --issuer SLUG [--server URL --token T | --data DIR] [--json]',
  ],
  description: `put: store a course (FILE: the course fields of a completion record, JSON) in the issuer's catalogue;
a change makes a new version, an identical file changes nothing. list: the current version of every course.
On a running service with --server (API key with the "issue" scope to put, "read" to list; the token may come
from MICROCRED_TOKEN instead of --token), else on the data directory (DATABASE_URL, or PGlite in --data DIR).
--json prints put: {"created", "code", "version", "course"}; list: [{"code", "version", "course"}].`,
  async run(args, out) {
    const [sub, ...rest] = args;
    if (sub !== 'put' && sub !== 'list') throw new UsageError('courses needs a subcommand: put or list', courses);
    const { values, positionals } = parse(courses, rest, FLAGS);
    if (!values.issuer) throw new UsageError(`courses ${sub} needs --issuer SLUG`, courses);
    try {
      if (sub === 'put') {
        const [code, file] = positionals;
        if (!code || !file || positionals.length > 2) throw new UsageError('courses put needs CODE and FILE', courses);
        const { created, entry } = await put(values.issuer, code, file, values);
        if (values.json) printJson(out, { created, ...entry });
        else out.stdout(`${entry.code} version ${entry.version} ${created ? 'stored' : 'unchanged (same as the current version)'}: ${String(entry.course.title)}\n`);
        return 0;
      }
      noPositionals(courses, positionals);
      const items = await list(values.issuer, values);
      if (values.json) printJson(out, items);
      else if (items.length === 0) out.stdout(`Issuer ${values.issuer} has no course in its catalogue.\n`);
      else for (const e of items) out.stdout(`${e.code}\tv${e.version}\t${String(e.course.title)}\t${size(e.course)}\n`);
      return 0;
    } catch (e) {
      throw cliError(e);
    }
  },
};
