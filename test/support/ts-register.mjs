// `node --import ./test/support/ts-register.mjs file.ts`: runs the project's TypeScript directly (see ts-hooks.mjs).
import { register } from 'node:module';

register(new URL('./ts-hooks.mjs', import.meta.url));
