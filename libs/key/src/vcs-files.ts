/**
 * Version-control metadata is not part of what Buildroot sees of an external tree: a checkout
 * and an unpacked tarball of the same tree must hash alike.
 */
const VCS_DIRS = new Set(['.git', '.hg', '.svn', '.bzr', 'CVS']);
// '.git' is also a *file* in a submodule or linked worktree (it points at the real repository).
const VCS_FILES = new Set(['.git', '.gitignore', '.gitattributes', '.gitmodules', '.hgignore']);

/** Whether a directory entry of this name is VCS metadata, at any depth of a tree. */
export function isVcsEntry(name: string, isDirectory: boolean): boolean {
  return isDirectory ? VCS_DIRS.has(name) : VCS_FILES.has(name);
}
