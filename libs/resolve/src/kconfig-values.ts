import { buildrootSymbol, quoteKconfigString, type KconfigValue } from '@nbpr/model';

/** Buildroot's symbol for a package (the model's rule, under the name the resolve lib uses). */
export const packageSymbol = buildrootSymbol;

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
