/**
 * The service's OpenAPI 3.1 document, built from the route declarations (`http/openapi.ts`), so what is documented
 * is what answers. Kept apart from the builder so the public types of `microcred/service` need no express types.
 */
import { buildOpenApiDocument } from './http/openapi.js';
import { ROUTERS } from './routes/index.js';

/**
 * The OpenAPI 3.1 document of the service (servers = this deployment's public URL).
 *
 * @example
 * ```ts
 * res.json(openApiDocument('https://credentials.example.ac.uk'));
 * ```
 */
export function openApiDocument(publicUrl: string): Record<string, unknown> {
  return buildOpenApiDocument(ROUTERS, publicUrl);
}
