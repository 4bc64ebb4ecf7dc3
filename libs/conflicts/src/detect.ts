import type { ChoiceGroup } from './choice-groups';
import type { Demand, OptionClash } from './demands';

export interface ConflictSide {
  value: string;
  /** Each chain ends at the demand, e.g. ['tcpdump', 'libpcap', 'BR2_PACKAGE_LIBPCAP_BLUETOOTH=y']. */
  chains: string[][];
}

export interface Conflict {
  kind: 'symbol' | 'choice' | 'system' | 'option';
  subject: string;
  sides: ConflictSide[];
  advice: string;
}

export interface DetectInput {
  demands: Demand[];
  clashes: OptionClash[];
  system: { id: string; config: Map<string, string> };
  choices: ChoiceGroup[];
}

/**
 * Every conflict at once: one symbol demanded with two values; two members of one choice
 * group; a demand that contradicts how the system already configures a package it ships
 * (which needs a system change); two packages asking one dependency for different options.
 */
export function detectConflicts(input: DetectInput): Conflict[] {
  const conflicts: Conflict[] = [];
  const systemChain = [`system ${input.system.id}`];
  const bySymbol = new Map<string, Map<string, string[][]>>();
  const seen = new Set<string>();
  for (const d of input.demands) {
    const id = `${d.symbol}\0${d.value}\0${d.chain.join('\0')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const values = bySymbol.get(d.symbol) ?? new Map<string, string[][]>();
    const chains = values.get(d.value);
    if (chains) chains.push(d.chain);
    else values.set(d.value, [d.chain]);
    bySymbol.set(d.symbol, values);
  }
  const side = (symbol: string, value: string, chains: string[][]): ConflictSide => ({ value, chains: chains.map((c) => [...c, `${symbol}=${value}`]) });

  for (const clash of input.clashes) {
    conflicts.push({
      kind: 'option',
      subject: `option '${clash.option}' of ${clash.dependency}`,
      sides: clash.sides.map((s) => ({ value: JSON.stringify(s.value), chains: [[s.by, clash.dependency, `${clash.option}=${JSON.stringify(s.value)}`]] })),
      advice: `Buildroot builds one ${clash.dependency}: make these agree on '${clash.option}' (nbpr.json dependencies or the firmware's overrides).`,
    });
  }

  const inChoice = new Set(input.choices.flatMap((g) => g.members));
  for (const [symbol, values] of bySymbol) {
    if (values.size > 1 && !(inChoice.has(symbol) && [...values.keys()].every((v) => v === 'y' || v === 'n'))) {
      conflicts.push({
        kind: 'symbol',
        subject: symbol,
        sides: [...values].map(([value, chains]) => side(symbol, value, chains)),
        advice: 'Buildroot has one value per symbol: change the options of one side, or leave one package out of this firmware.',
      });
    }
  }

  for (const group of input.choices) {
    const chosen = new Map<string, string[][]>();
    for (const member of group.members) {
      const demanded = bySymbol.get(member)?.get('y');
      if (demanded) chosen.set(member, demanded);
    }
    if (chosen.size === 0) continue;
    const systemMember = group.members.find((m) => input.system.config.get(m) === 'y');
    const needsSystem = systemMember !== undefined && [...chosen.keys()].some((m) => m !== systemMember);
    if (chosen.size < 2 && !needsSystem) continue;
    const sides = [...chosen].map(([member, chains]) => side(member, 'y', chains));
    if (needsSystem && !chosen.has(systemMember!)) sides.push({ value: 'y', chains: [[...systemChain, `${systemMember}=y`]] });
    conflicts.push({
      kind: needsSystem ? 'system' : 'choice',
      subject: `choice "${group.prompt ?? group.members.join('/')}" (${group.file}): ${[...new Set([...chosen.keys(), ...(needsSystem ? [systemMember!] : [])])].join(' vs ')}`,
      sides,
      advice: needsSystem
        ? `Needs a system change: ${input.system.id} is built with ${systemMember}; use a system built with the other choice, or packages that work with ${systemMember}.`
        : 'Only one member of a Buildroot choice can be built: pick one for the whole firmware.',
    });
  }

  for (const [symbol, values] of bySymbol) {
    if (inChoice.has(symbol) || MENU_VISIBILITY_ONLY.has(symbol)) continue;
    const actual = input.system.config.get(symbol);
    if (actual === undefined) continue;
    for (const [value, chains] of values) {
      if (value === actual) continue;
      const owner = shippedOwner(symbol, input.system.config);
      const toolchainOrArch = !symbol.startsWith('BR2_PACKAGE_');
      if (!owner && !toolchainOrArch) continue;
      conflicts.push({
        kind: 'system',
        subject: symbol,
        sides: [side(symbol, value, chains), { value: actual, chains: [[...systemChain, `${symbol}=${actual}`]] }],
        advice: owner
          ? `Needs a system change: ${input.system.id} ships ${owner.replace('BR2_PACKAGE_', '').toLowerCase()} with ${symbol}=${actual}, and the device has only that one.`
          : `Needs a system change: ${input.system.id} is configured with ${symbol}=${actual}.`,
      });
    }
  }
  return conflicts;
}

/**
 * Symbols that only show entries in menuconfig: no package's .mk reads them, so asking for one
 * changes nothing the system ships (BR2_PACKAGE_BUSYBOX_SHOW_OTHERS unhides the packages busybox
 * also provides, such as kmod's tools; busybox.mk never reads it).
 */
const MENU_VISIBILITY_ONLY = new Set(['BR2_PACKAGE_BUSYBOX_SHOW_OTHERS']);

/** The package symbol of a package the system ships that `symbol` is an option of, if any. */
function shippedOwner(symbol: string, config: Map<string, string>): string | undefined {
  const parts = symbol.split('_');
  for (let n = parts.length - 1; n >= 3; n--) {
    const candidate = parts.slice(0, n).join('_');
    if (config.get(candidate) === 'y') return candidate;
  }
  return undefined;
}

/** The report: every conflict, each side's value and chain, and what to change. */
export function formatConflicts(conflicts: Conflict[], what: string): string {
  const lines = [`conflict-check found ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'} for ${what}:`];
  conflicts.forEach((c, i) => {
    lines.push(`  ${i + 1}. ${c.subject}${c.kind === 'system' ? ' (needs a system change)' : ''}`);
    for (const s of c.sides) for (const chain of s.chains) lines.push(`       ${chain.join(' -> ')}`);
    lines.push(`     ${c.advice}`);
  });
  return lines.join('\n');
}
