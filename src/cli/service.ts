/** `microcred serve`, `microcred issuers …`, `microcred apikeys …`: running and administering the service. */
import path from 'node:path';
import type { Db } from '../store/db.js';
import { keySetJson } from './keys.js';
import { UsageError, noPositionals, parse, printJson, readJson, rotationAlg, type Command } from './command.js';

/** Opens the service database the way `serve` does (DATABASE_URL, else PGlite under --data, default ./data), example issuer included. */
async function openServiceDb(dataDir: string | undefined): Promise<Db> {
  const { serviceConfigFromEnv } = await import('../service/config.js');
  const service = await import('../service/database.js');
  const config = serviceConfigFromEnv(process.env);
  return service.openServiceDb({ ...config, ...(dataDir !== undefined ? { dataDir } : {}) });
}

/** Runs `fn` with the service database open, and closes it whatever happens. */
async function withServiceDb<T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openServiceDb(dataDir);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export const serve: Command = {
  name: 'serve',
  synopsis: ['serve [--port N] [--host ADDR] [--data DIR]'],
  description: `Run the issuance service (embedded PGlite in DIR/db, or PostgreSQL when DATABASE_URL is set).
Settings come from the environment (PORT, HOST, DATABASE_URL, MICROCRED_*; see README, Service); flags override them.`,
  async run(args, out) {
    const { values, positionals } = parse(serve, args, { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' } });
    noPositionals(serve, positionals);
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be 0-65535, got "${values.port}"`, serve);
    const { serviceConfigFromEnv } = await import('../service/config.js');
    const { startServer } = await import('../service/server.js');
    const config = serviceConfigFromEnv(process.env);
    if (port !== undefined) config.port = port;
    if (values.host !== undefined) config.host = values.host;
    if (values.data !== undefined) config.dataDir = values.data;
    const srv = await startServer(config);
    out.stderr(`microcred service listening on ${srv.url} (${config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}); Ctrl-C stops it\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await srv.close();
    return 0;
  },
};

export const issuers: Command = {
  name: 'issuers',
  synopsis: [
    'issuers create --slug SLUG --profile FILE (--public-url URL [--root] | --keys DIR) [--data DIR] [--json]',
    'issuers rotate-key --slug SLUG [--alg Ed25519|ES256] [--data DIR] [--json]',
  ],
  description: `create: register an issuer with its own did:web keys (or an existing key set).
rotate-key: add a new active key to an issuer's key set.
With PGlite, run these while the service is stopped (an embedded database has one user at a time).
--json prints create: {"slug", "did", "keysDir"}; rotate-key: the key set (public data only).`,
  async run(args, out) {
    const [sub, ...rest] = args;
    if (sub !== 'create' && sub !== 'rotate-key') throw new UsageError('issuers needs a subcommand: create or rotate-key', issuers);
    const { values, positionals } = parse(issuers, rest, {
      slug: { type: 'string' }, profile: { type: 'string' }, 'public-url': { type: 'string' }, root: { type: 'boolean' },
      keys: { type: 'string' }, 'keys-root': { type: 'string' }, alg: { type: 'string' }, data: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    noPositionals(issuers, positionals);
    const slug = values.slug;
    if (!slug) throw new UsageError(`issuers ${sub} needs --slug SLUG`, issuers);
    const admin = await import('../service/admin.js');
    if (sub === 'create') {
      if (!values.profile) throw new UsageError('issuers create needs --profile FILE (the awarding body)', issuers);
      if (!values['public-url'] && !values.keys) throw new UsageError('issuers create needs --public-url URL (for did:web) or --keys DIR (an existing key set)', issuers);
      const profile = await readJson(values.profile, 'issuer profile');
      const created = await withServiceDb(values.data, (db) =>
        admin.createIssuer(db, {
          slug,
          profile,
          ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
          ...(values.root ? { root: true } : {}),
          ...(values.keys ? { existingKeysDir: values.keys } : {}),
          keysRoot: values['keys-root'] ?? process.env.MICROCRED_KEYS_DIR ?? path.join(values.data ?? process.env.MICROCRED_DATA_DIR ?? 'data', 'keys'),
        }));
      if (values.json) printJson(out, { slug: created.slug, did: created.did, keysDir: created.keysDir });
      else out.stdout(`Issuer ${created.slug} created: ${created.did}\nKeys: ${created.keysDir}\n`);
      return 0;
    }
    const alg = rotationAlg(issuers, values.alg);
    const rotated = await withServiceDb(values.data, (db) => admin.rotateIssuerKey(db, slug, alg));
    if (values.json) printJson(out, { slug, ...keySetJson(rotated) });
    else out.stdout(`Rotated: new active ${alg} key for ${rotated.controller}\n`);
    return 0;
  },
};

export const apikeys: Command = {
  name: 'apikeys',
  synopsis: ['apikeys create --issuer SLUG --scopes issue,revoke,read,admin [--label TEXT] [--data DIR] [--json]'],
  description: `Print a new bearer token for an issuer (shown once; only its hash is stored).
--json prints {"id", "issuer", "scopes", "token"}.`,
  async run(args, out) {
    const [sub, ...rest] = args;
    if (sub !== 'create') throw new UsageError('apikeys needs a subcommand: create', apikeys);
    const { values, positionals } = parse(apikeys, rest, {
      issuer: { type: 'string' }, scopes: { type: 'string' }, label: { type: 'string' }, data: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    noPositionals(apikeys, positionals);
    if (!values.issuer || !values.scopes) throw new UsageError('apikeys create needs --issuer SLUG and --scopes LIST (issue,revoke,read,admin)', apikeys);
    const { createApiKey } = await import('../service/admin.js');
    const { issuer, scopes, label } = values;
    const key = await withServiceDb(values.data, (db) => createApiKey(db, {
      issuer,
      scopes: scopes.split(',').map((s) => s.trim()).filter(Boolean),
      ...(label ? { label } : {}),
    }));
    if (values.json) {
      printJson(out, { id: key.id, issuer: key.issuer, scopes: key.scopes, token: key.token });
      return 0;
    }
    out.stderr(`API key ${key.id} for issuer ${key.issuer} with scopes ${key.scopes.join(', ')}. The token is shown only now:\n`);
    out.stdout(`${key.token}\n`);
    return 0;
  },
};
