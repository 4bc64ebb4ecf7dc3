/** Linux gives up after 40 links in one lookup (ELOOP); so does this. */
const MAX_HOPS = 40;

/**
 * Why some symlink of a tree resolves outside it, or undefined when none does. `links` maps
 * every symlink of the tree (relative path, no symlink among its parents) to its target.
 *
 * Checking each link lexically is not enough: with `target/a -> ..` and `target/b -> a/../x`,
 * both targets stay inside on paper (b names target/x), yet `target/b` resolves above the root
 * because `a/..` is taken after `a` is followed, from the root. So each link is resolved the way the kernel would,
 * component by component, following the tree's other links, and must never climb above the
 * root. Targets that do not exist are fine (nothing else will ever be written into the tree).
 */
export function symlinkEscape(links: ReadonlyMap<string, string>): string | undefined {
  for (const [path, target] of links) {
    const reason = resolveInside(links, path, target);
    if (reason) return `symlink ${path} -> ${target}: ${reason}`;
  }
  return undefined;
}

function resolveInside(links: ReadonlyMap<string, string>, path: string, target: string): string | undefined {
  // `at` is the directory the walk is in, as segments from the root; it starts at the link's own directory.
  const at = path.split('/').slice(0, -1);
  let hops = 0;
  const walk = (linkTarget: string): string | undefined => {
    if (linkTarget.startsWith('/')) return `absolute link target ${linkTarget}`;
    for (const segment of linkTarget.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (at.length === 0) return 'resolves outside the tree';
        at.pop();
        continue;
      }
      at.push(segment);
      const next = links.get(at.join('/'));
      if (next === undefined) continue;
      if (++hops > MAX_HOPS) return 'too many levels of symbolic links';
      // Following a link replaces it by its target, taken from the link's directory.
      at.pop();
      const reason = walk(next);
      if (reason) return reason;
    }
    return undefined;
  };
  return walk(target);
}
