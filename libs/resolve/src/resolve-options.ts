import { checkOptionValue, errorAt, pointerOf, suggestion, NbprError, NbprErrors, type JsonSource, type OptionValue, type PackageManifest } from '@nbpr/model';

/** Option values requested for a package by one party: a firmware profile or a depending package. */
export interface OptionRequest {
  values: Record<string, OptionValue>;
  /** The file the values come from and the JSON pointer of the values object in it. */
  source: JsonSource;
  pointer: string;
  /** Who asks, for messages: 'firmware example-firmware' or 'package tcpdump'. */
  by: string;
}

/**
 * The package's options with defaults applied and every request layered on top. Requests
 * naming an unknown option, giving a wrongly typed value, or contradicting one another fail.
 */
export function resolveOptions(manifest: PackageManifest, requests: OptionRequest[] = []): Record<string, OptionValue> {
  const declared = manifest.metadata.options ?? {};
  const resolved: Record<string, OptionValue> = {};
  for (const [name, option] of Object.entries(declared)) resolved[name] = option.default;
  const setBy = new Map<string, OptionRequest>();
  const problems: NbprError[] = [];
  for (const request of requests) {
    for (const [name, value] of Object.entries(request.values)) {
      const at = request.pointer + pointerOf(name);
      const option = declared[name];
      if (!option) {
        const known = Object.keys(declared);
        problems.push(
          errorAt(request.source, at, 'resolve/unknown-option', `${manifest.metadata.name} has no option '${name}'${suggestion(name, known)}`, known.length ? `Options of ${manifest.metadata.name}: ${known.join(', ')} (see ${manifest.source.file}).` : `${manifest.metadata.name} has no build options.`),
        );
        continue;
      }
      const problem = checkOptionValue(option, value);
      if (problem) {
        problems.push(errorAt(request.source, at, 'resolve/invalid-option-value', `option '${name}' of ${manifest.metadata.name} ${problem}`, option.description));
        continue;
      }
      const earlier = setBy.get(name);
      if (earlier && resolved[name] !== value) {
        problems.push(
          errorAt(request.source, at, 'resolve/conflicting-options', `${request.by} sets ${manifest.metadata.name} option '${name}' to ${JSON.stringify(value)}, but ${earlier.by} sets it to ${JSON.stringify(resolved[name])}`, 'Buildroot builds one configuration of a package per firmware: make them agree.'),
        );
        continue;
      }
      resolved[name] = value;
      setBy.set(name, request);
    }
  }
  if (problems.length > 0) throw problems.length === 1 ? problems[0] : new NbprErrors(problems);
  return resolved;
}
