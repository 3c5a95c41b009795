// `node --import ./test/support/load-log-register.mjs …`: logs every module resolution (see load-log-hooks.mjs).
import { register } from 'node:module';

register(new URL('./load-log-hooks.mjs', import.meta.url));
