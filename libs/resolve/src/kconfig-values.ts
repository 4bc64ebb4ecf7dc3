import { quoteKconfigString, type KconfigValue } from '@nbpr/model';

/** Buildroot's symbol for a package: BR2_PACKAGE_ + the name upper-cased with '-', '.' and '/' as '_' (pkg-utils.mk UPPERCASE). */
export function packageSymbol(buildrootPackage: string): string {
  return 'BR2_PACKAGE_' + buildrootPackage.toUpperCase().replace(/[-./]/g, '_');
}

/**
 * A metadata value as it is written in a .config: true -> y, false -> n ("is not set"),
 * integers as they are, strings quoted with Kconfig's escapes.
 */
export function kconfigRaw(value: KconfigValue): string {
  if (value === true) return 'y';
  if (value === false) return 'n';
  if (typeof value === 'number') return String(value);
  return quoteKconfigString(value);
}
