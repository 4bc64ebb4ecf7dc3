import parseSpdx from 'spdx-expression-parse';

/** Buildroot's usual spellings of licences that SPDX spells otherwise. */
const SPELLINGS: Record<string, string> = {
  'GPL-1.0': 'GPL-1.0-only',
  'GPL-1.0+': 'GPL-1.0-or-later',
  'GPL-2.0': 'GPL-2.0-only',
  'GPL-2.0+': 'GPL-2.0-or-later',
  'GPL-3.0': 'GPL-3.0-only',
  'GPL-3.0+': 'GPL-3.0-or-later',
  'LGPL-2.0': 'LGPL-2.0-only',
  'LGPL-2.0+': 'LGPL-2.0-or-later',
  'LGPL-2.1': 'LGPL-2.1-only',
  'LGPL-2.1+': 'LGPL-2.1-or-later',
  'LGPL-3.0': 'LGPL-3.0-only',
  'LGPL-3.0+': 'LGPL-3.0-or-later',
  'AGPL-3.0': 'AGPL-3.0-only',
  'AGPL-3.0+': 'AGPL-3.0-or-later',
  'GFDL-1.3': 'GFDL-1.3-only',
  'GFDL-1.3+': 'GFDL-1.3-or-later',
  'Public Domain': 'LicenseRef-Public-Domain',
  'Public domain': 'LicenseRef-Public-Domain',
};

export interface MappedLicense {
  /** A valid SPDX expression. */
  expression: string;
  /** LicenseRef-… identifiers it uses, with the Buildroot text each stands for. */
  references: Array<{ id: string; text: string }>;
}

/**
 * Buildroot's free-form LICENSE string as an SPDX expression: comma-separated parts are
 * ANDed (their "(what it covers)" notes dropped), "or" becomes OR, Buildroot spellings are
 * mapped, and anything SPDX does not know is kept as a LicenseRef so nothing is lost.
 */
export function mapBuildrootLicense(text: string): MappedLicense {
  const references: MappedLicense['references'] = [];
  const term = (raw: string): string => {
    const clean = raw.replace(/\([^)]*\)/g, '').trim();
    const mapped = SPELLINGS[clean] ?? clean;
    if (isSpdx(mapped)) return mapped;
    const id = `LicenseRef-${clean.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-|-$/g, '') || 'unknown'}`;
    if (!references.some((r) => r.id === id)) references.push({ id, text: clean });
    return id;
  };
  const parts = splitTopLevel(text, ',').map((part) => {
    const alternatives = part.split(/\s+or\s+/i).map(term);
    return alternatives.length > 1 ? `(${alternatives.join(' OR ')})` : alternatives[0];
  });
  const expression = parts.filter(Boolean).join(' AND ') || 'NOASSERTION';
  return { expression: parts.length === 1 ? expression.replace(/^\((.*)\)$/, '$1') : expression, references };
}

function isSpdx(id: string): boolean {
  if (!/^[A-Za-z0-9.+-]+$/.test(id) || id.startsWith('LicenseRef-')) return id.startsWith('LicenseRef-');
  try {
    parseSpdx(id);
    return true;
  } catch {
    return false;
  }
}

function splitTopLevel(text: string, separator: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === separator && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
