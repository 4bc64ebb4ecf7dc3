import { resolveOptions, packageFragment, type OptionRequest } from '@nbpr/resolve';
import { pointerOf, type Catalogue, type FirmwareProfile, type OptionValue } from '@nbpr/model';

/** One party's need for one Kconfig value, and how it comes to need it. */
export interface Demand {
  symbol: string;
  /** Raw .config value: 'y', 'n', '"string"', '42'. */
  value: string;
  /** From the package the user selected to whatever states the need, e.g. ['tcpdump', 'libpcap']. */
  chain: string[];
  origin: 'package' | 'artefact' | 'system';
}

/** Two packages asking one NBPR dependency for different option values. */
export interface OptionClash {
  dependency: string;
  option: string;
  sides: Array<{ value: OptionValue; by: string }>;
}

/**
 * The demands of a selection of packages (a firmware's, or one package's): each package's own
 * fragment with its options, and its NBPR dependencies' fragments with the options asked of
 * them, each demand with the chain from the selected package. Clashing option requests on one
 * dependency are collected instead of failing on the first.
 */
export function selectionDemands(catalogue: Catalogue, selected: string[], firmware?: FirmwareProfile): { demands: Demand[]; clashes: OptionClash[] } {
  const demands: Demand[] = [];
  const clashes: OptionClash[] = [];
  const firmwareRequest = (name: string): OptionRequest[] => {
    const values = firmware?.metadata.packages[name]?.options;
    return firmware && values ? [{ values, source: firmware.source, pointer: pointerOf('packages', name, 'options'), by: `firmware ${firmware.metadata.name}` }] : [];
  };
  const chains = new Map<string, string[]>();
  for (const root of selected) {
    chains.set(root, chains.get(root) ?? [root]);
    const queue = [root];
    while (queue.length > 0) {
      const current = queue.shift()!;
      for (const dep of Object.keys(catalogue.get(current).metadata.dependencies ?? {})) {
        if (!chains.has(dep)) {
          chains.set(dep, [...chains.get(current)!, dep]);
          queue.push(dep);
        }
      }
    }
  }
  // Who asks what of each dependency, gathered once: the selection can hold a thousand packages.
  const requestsOf = new Map<string, Array<{ values: Record<string, OptionValue>; by: string }>>();
  for (const p of chains.keys()) {
    for (const [dep, spec] of Object.entries(catalogue.get(p).metadata.dependencies ?? {})) {
      if (spec.options) requestsOf.set(dep, [...(requestsOf.get(dep) ?? []), { values: spec.options, by: `package ${p}` }]);
    }
  }
  for (const [name, chain] of chains) {
    const manifest = catalogue.get(name);
    const requests = requestsOf.get(name) ?? [];
    // Clashes between dependants (and the firmware) are reported, then the first request wins for the demands.
    const all = [...firmwareRequest(name).map((r) => ({ values: r.values, by: r.by })), ...requests];
    for (const option of new Set(all.flatMap((r) => Object.keys(r.values)))) {
      const sides = all.filter((r) => option in r.values).map((r) => ({ value: r.values[option], by: r.by }));
      if (new Set(sides.map((s) => JSON.stringify(s.value))).size > 1) clashes.push({ dependency: name, option, sides });
    }
    const merged: Record<string, OptionValue> = {};
    for (const r of [...all].reverse()) Object.assign(merged, r.values);
    const options = resolveOptions(manifest, [{ values: merged, source: manifest.source, pointer: '', by: 'the selection' }]);
    for (const [symbol, value] of Object.entries(packageFragment(manifest, options))) demands.push({ symbol, value, chain, origin: 'package' });
  }
  return { demands, clashes };
}

/** Demands recorded in an artefact's build facts: what its prebuilt was really built with. */
export function artefactDemands(pkg: string, key: string, kconfig: Record<string, string>): Demand[] {
  return Object.entries(kconfig).map(([symbol, value]) => ({ symbol, value, chain: [pkg, `artefact ${key.slice(0, 16)}`], origin: 'artefact' as const }));
}
