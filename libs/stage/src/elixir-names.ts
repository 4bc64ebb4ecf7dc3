import { NbprError } from '@nbpr/model';

/** `nbpr-heartbeat` -> `NbprHeartbeat`: Elixir module name segments. */
export function camelize(name: string): string {
  return name
    .split(/[-_.]/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** The module of one daemon: NBPR.<Package>.<Daemon>, e.g. NBPR.Dnsmasq.Dnsmasq. */
export function daemonModule(pkg: string, daemon: string): string {
  const segments = [camelize(pkg), camelize(daemon)];
  // The schema restricts both names; a module name is code, so it is checked here too.
  for (const segment of segments) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(segment)) {
      throw new NbprError(`package ${pkg}, daemon ${daemon}: ${JSON.stringify(segment)} cannot name an Elixir module`, { code: 'stage/invalid-module-name', hint: 'Daemon modules are NBPR.<Package>.<Daemon>: package and daemon names must start with a letter.' });
    }
  }
  return `NBPR.${segments.join('.')}`;
}
