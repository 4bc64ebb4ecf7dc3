import type { OptionValue, PackageManifest } from '@nbpr/model';
import { kconfigRaw, packageSymbol } from './kconfig-values';

/** Buildroot packages a manifest builds. */
export function buildrootPackages(manifest: PackageManifest): string[] {
  const br = manifest.metadata.buildroot;
  return 'package' in br ? [br.package] : [...br.packages];
}

/**
 * The Kconfig symbols one package asks of Buildroot: its package symbols, its fixed kconfig,
 * and the symbols its resolved options map to. Values are raw .config values ('y', 'n', ...).
 */
export function packageFragment(manifest: PackageManifest, options: Record<string, OptionValue>): Record<string, string> {
  const fragment: Record<string, string> = {};
  for (const pkg of buildrootPackages(manifest)) fragment[packageSymbol(pkg)] = 'y';
  for (const [symbol, value] of Object.entries(manifest.metadata.kconfig ?? {})) fragment[symbol] = kconfigRaw(value);
  for (const [name, option] of Object.entries(manifest.metadata.options ?? {})) {
    const value = options[name];
    if (option.type === 'enum') {
      // The chosen value's symbols are set; the other values' bool symbols are explicitly
      // unset so that a choice group records exactly one member.
      for (const [choice, symbols] of Object.entries(option.values)) {
        for (const [symbol, symbolValue] of Object.entries(symbols)) {
          if (choice === value) fragment[symbol] = kconfigRaw(symbolValue);
          else if (symbolValue === true && !(symbol in fragment)) fragment[symbol] = 'n';
        }
      }
    } else {
      fragment[option.kconfig] = kconfigRaw(value);
    }
  }
  return fragment;
}
