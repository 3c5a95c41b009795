/**
 * Selects values from a credential by a mapping-table path such as
 * `credentialSubject.achievement.alignment[targetType=ext:ECTS].targetCode`. A `[field=value]`
 * step keeps the array items whose `field` equals `value` (`|` separates alternatives). Returns
 * every match (an empty array when nothing matches).
 *
 * @example
 * ```ts
 * selectPath(credential, 'issuer.otherIdentifier[identifierType=ext:UKPRN].identifier'); // ["10099999"]
 * ```
 */
export function selectPath(doc: unknown, path: string): unknown[] {
  let current: unknown[] = [doc];
  for (const step of path.split(/\.(?![^[]*\])/)) {
    const m = /^([^[]+)(?:\[([^=\]]+)=([^\]]+)\])?$/.exec(step);
    if (!m) throw new Error(`Bad mapping path step ${JSON.stringify(step)} in ${JSON.stringify(path)}`);
    const [, key, field, value] = m;
    const next: unknown[] = [];
    for (const node of current) {
      if (node === null || typeof node !== 'object') continue;
      const v = (node as Record<string, unknown>)[key as string];
      if (v === undefined) continue;
      if (field !== undefined && value !== undefined) {
        const wanted = value.split('|');
        for (const item of Array.isArray(v) ? v : [v]) {
          const f = (item as Record<string, unknown> | null)?.[field];
          if (typeof f === 'string' && wanted.includes(f)) next.push(item);
        }
      } else {
        next.push(v);
      }
    }
    current = next;
  }
  return current;
}
