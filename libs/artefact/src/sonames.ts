import type { ElfDynamicInfo } from './elf';
import type { ArtefactMetadata } from './format';

/** Whether a file's first bytes are ELF's magic: only those files are parsed. */
export function startsLikeElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/**
 * The sonames an artefact provides (DT_SONAME of its shared libraries) and needs (DT_NEEDED
 * of its binaries and libraries), gathered from the ELF files under target/: only those
 * reach the device, so only those take part in stage's "every DT_NEEDED is satisfied" check.
 */
export class SonameSet {
  private readonly provided = new Set<string>();
  private readonly needed = new Set<string>();

  add(info: ElfDynamicInfo | null): void {
    if (info?.soname) this.provided.add(info.soname);
    for (const lib of info?.needed ?? []) this.needed.add(lib);
  }

  result(): ArtefactMetadata['sonames'] {
    return { provided: [...this.provided].sort(), needed: [...this.needed].sort() };
  }
}
