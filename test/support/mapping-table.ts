import { ANNEX_I_MAPPING, type MappingRow } from '../../src/credential/annex1.js';

/**
 * The mapping table as Markdown (the README's table is this output), one row per Annex I / UK
 * element: number, element, status, Open Badges 3.0 location(s), note.
 *
 * @example
 * ```ts
 * console.log(mappingTableMarkdown());
 * ```
 */
export function mappingTableMarkdown(rows: readonly MappingRow[] = ANNEX_I_MAPPING): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    '| # | Element | Status | Open Badges 3.0 | Note |',
    '|---|---|---|---|---|',
    ...rows.map((r) =>
      `| ${r.element} | ${cell(r.name)} | ${r.status} | ${r.paths.map((p) => `\`${cell(p)}\``).join('<br>')} | ${cell(r.note)} |`),
  ];
  return `${lines.join('\n')}\n`;
}
