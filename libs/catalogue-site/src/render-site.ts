import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NbprError, type PackageMetadata } from '@nbpr/model';
import { html, safeHref, scriptJson } from './html';

/** Whether a prebuilt artefact of a package is published for a system, as far as NBPR could tell. */
export type PrebuiltStatus = { state: 'published'; at: string } | { state: 'not-published' } | { state: 'not-targeted' } | { state: 'unknown'; why: string };

export interface SitePackage {
  metadata: PackageMetadata;
  prebuilt: Record<string, PrebuiltStatus>;
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1d2430}
h1{margin-bottom:.2rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d8dde5;padding:.35rem .5rem;text-align:left;vertical-align:top}
code{background:#f1f3f7;padding:0 .2rem}.published{color:#176f2c}.unknown{color:#7a6400}.not-published,.not-targeted{color:#7d8491}
input,select{font:inherit;padding:.25rem .4rem;margin-right:.5rem}nav{margin:1rem 0}`;

const statusText = (s: PrebuiltStatus) => (s.state === 'published' ? `published (${s.at})` : s.state === 'unknown' ? `unknown: ${s.why}` : s.state === 'not-targeted' ? 'not targeted' : 'not published');

/** In every site written, so that writing one again replaces a site and nothing else. */
const SITE_MARKER = '.nbpr-catalogue-site';
const TITLE = 'NBPR catalogue';

/**
 * The catalogue as static files: index.html (every package, searchable, filtered by licence
 * and system, all data inline) and packages/<name>.html, written through a temporary sibling
 * that replaces `outDir` only if it is an earlier site or empty. Every catalogue string is
 * HTML-escaped, links are http(s) only, and nothing is fetched when the pages are viewed.
 */
export async function renderCatalogueSite(packages: SitePackage[], systems: string[], outDir: string): Promise<void> {
  await refuseToReplaceOtherThanASite(outDir);
  const temp = join(dirname(outDir), `.${basename(outDir)}.${process.pid}.partial`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(join(temp, 'packages'), { recursive: true });
  try {
    const sorted = [...packages].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    await writeFile(join(temp, SITE_MARKER), 'Written by nbpr site, which replaces this directory when it writes the site again.\n');
    await writeFile(join(temp, 'index.html'), indexPage(sorted, systems));
    for (const pkg of sorted) await writeFile(join(temp, 'packages', `${pkg.metadata.name}.html`), packagePage(pkg, systems));
    await rm(outDir, { recursive: true, force: true });
    await rename(temp, outDir);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function refuseToReplaceOtherThanASite(outDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw occupied(outDir, 'a file');
    throw error;
  }
  if (entries.length === 0 || entries.includes(SITE_MARKER) || (await isUnmarkedSite(outDir, entries))) return;
  throw occupied(outDir, `a directory of ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} that is no catalogue site`);
}

/** A site written before sites were marked: index.html with the site's title and package pages. */
async function isUnmarkedSite(dir: string, entries: string[]): Promise<boolean> {
  if (!entries.every((e) => e === 'index.html' || e === 'packages')) return false;
  const index = await readFile(join(dir, 'index.html'), 'utf8').catch(() => '');
  return index.includes(`<title>${TITLE}</title>`);
}

function occupied(outDir: string, what: string): NbprError {
  return new NbprError(`the catalogue site would replace ${what}`, {
    code: 'catalogue-site/occupied',
    where: outDir,
    hint: 'Give a new or empty directory, or one an earlier `nbpr site` wrote: nbpr site replaces its directory as a whole.',
  });
}

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${html(title)}</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

function indexPage(packages: SitePackage[], systems: string[]): string {
  const licences = [...new Set(packages.map((p) => p.metadata.licenses))].sort();
  const rows = packages
    .map((p) => {
      const m = p.metadata;
      const targets = m.targets.includes('*') ? '*' : m.targets.join(' ');
      return `<tr class="package" data-name="${html(m.name)}" data-text="${html(`${m.name} ${m.description}`.toLowerCase())}" data-licence="${html(m.licenses)}" data-targets="${html(targets)}">
<td><a href="packages/${html(m.name)}.html">${html(m.name)}</a></td><td>${html(m.version)}</td><td>${html(m.licenses)}</td><td>${html(m.description)}</td></tr>`;
    })
    .join('\n');
  const data = { systems, packages: packages.map((p) => p.metadata.name) };
  return page(
    TITLE,
    `<h1>NBPR catalogue</h1><p><span id="count">${packages.length}</span> of ${packages.length} packages</p>
<nav><input id="search" type="search" placeholder="Search name or description" aria-label="Search">
<select id="licence" aria-label="Licence"><option value="">Any licence</option>${licences.map((l) => `<option value="${html(l)}">${html(l)}</option>`).join('')}</select>
<select id="system" aria-label="System"><option value="">Any system</option>${systems.map((s) => `<option value="${html(s)}">${html(s)}</option>`).join('')}</select></nav>
<table><thead><tr><th>Package</th><th>Version</th><th>Licence</th><th>Description</th></tr></thead><tbody>
${rows}
</tbody></table>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>
(() => {
  const search = document.getElementById('search'), licence = document.getElementById('licence'), system = document.getElementById('system');
  const rows = [...document.querySelectorAll('tr.package')];
  const update = () => {
    const words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    const app = system.value.split('@')[0];
    let shown = 0;
    for (const row of rows) {
      const targets = row.dataset.targets.split(' ');
      const visible = words.every((w) => row.dataset.text.includes(w)) && (!licence.value || row.dataset.licence === licence.value) && (!app || targets.includes('*') || targets.includes(app));
      row.hidden = !visible;
      if (visible) shown++;
    }
    document.getElementById('count').textContent = String(shown);
  };
  for (const input of [search, licence, system]) input.addEventListener('input', update);
})();
</script>`,
  );
}

function packagePage(pkg: SitePackage, systems: string[]): string {
  const m = pkg.metadata;
  const href = safeHref(m.homepage);
  const options = Object.entries(m.options ?? {});
  const daemons = Object.entries(m.daemons ?? {});
  const optionRows = options
    .map(([name, o]) => {
      const symbols = o.type === 'enum' ? Object.values(o.values).flatMap((v) => Object.keys(v)) : [o.kconfig];
      return `<tr class="option"><td><code>${html(name)}</code></td><td>${html(o.type)}</td><td><code>${html(JSON.stringify(o.default))}</code></td><td>${symbols.map((s) => `<code>${html(s)}</code>`).join(' ')}</td><td>${html(o.description)}</td></tr>`;
    })
    .join('\n');
  const daemonBlocks = daemons
    .map(([name, d]) => {
      const opts = Object.entries(d.options ?? {})
        .map(([key, o]) => `<tr><td><code>${html(key)}</code></td><td>${html(o.type)}</td><td><code>${html(o.flag)}</code></td><td>${o.default === undefined ? '' : `<code>${html(JSON.stringify(o.default))}</code>`}</td><td>${html(o.description)}</td></tr>`)
        .join('\n');
      return `<section class="daemon"><h3>${html(name)}</h3><p>${html(d.description)}: <code>${html(d.path)}</code>${d.foregroundArgs?.length ? `, always with <code>${html(d.foregroundArgs.join(' '))}</code>` : ''}</p>
${opts ? `<table><thead><tr><th>Option</th><th>Type</th><th>Flag</th><th>Default</th><th>What</th></tr></thead><tbody>${opts}</tbody></table>` : '<p>No options.</p>'}</section>`;
    })
    .join('\n');
  const deps = Object.keys(m.dependencies ?? {});
  return page(
    `${m.name}: NBPR catalogue`,
    `<p><a href="../index.html">All packages</a></p>
<h1>${html(m.name)} <small>${html(m.version)}</small></h1>
<p>${html(m.description)}</p>
<table><tbody>
<tr><th>Licence</th><td>${html(m.licenses)}</td></tr>
<tr><th>Homepage</th><td>${href ? `<a href="${href}">${href}</a>` : html(m.homepage)}</td></tr>
<tr><th>Buildroot</th><td>${'package' in m.buildroot ? `<code>${html(m.buildroot.package)}</code>` : 'vendored (BR2_EXTERNAL tree)'}</td></tr>
<tr><th>Targets</th><td>${m.targets.map((t) => `<code>${html(t)}</code>`).join(' ')}</td></tr>
<tr><th>Dependencies</th><td>${deps.length ? deps.map((d) => `<a href="${html(d)}.html">${html(d)}</a>`).join(' ') : 'none'}</td></tr>
</tbody></table>
<h2>Options</h2>
${options.length ? `<table><thead><tr><th>Option</th><th>Type</th><th>Default</th><th>Kconfig</th><th>What</th></tr></thead><tbody>${optionRows}</tbody></table>` : '<p>No options.</p>'}
<h2>Daemons</h2>
${daemons.length ? daemonBlocks : '<p>No daemons.</p>'}
<h2>Prebuilt artefacts</h2>
<table><tbody>${systems.map((s) => `<tr class="prebuilt"><th>${html(s)}</th><td class="${pkg.prebuilt[s]?.state ?? 'unknown'}">${html(statusText(pkg.prebuilt[s] ?? { state: 'unknown', why: 'not checked' }))}</td></tr>`).join('\n')}</tbody></table>`,
  );
}
