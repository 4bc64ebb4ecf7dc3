/**
 * `nx affected -t publish` as CI runs it on main, on the catalogue (the NBPR catalogue, the
 * examples and 50 generated packages), every package already published to the project's
 * registry (Debian's docker-registry), one package changed per commit:
 *   - a change in nbpr-heartbeat's buildroot/: a new key, a miss, a source build (with the
 *     Buildroot test double: NBPR's own work, not a cross build, is what this measures) and a
 *     publish;
 *   - a README-only change: nothing affected, the floor (graph and affected computation).
 * Reports medians and the ratio to the floor measured in the same run.
 *
 *   node -r @swc-node/register bench/affected-publish.bench.ts [repetitions=3]
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitAll } from '../test/support/nx-workspace';
import { withCatalogueWorkspace } from './support/catalogue-workspace';
import { updatePluginOptions } from './support/generated-catalogue';
import { median, timedNx } from './support/timed-nx';
import { doubleBuildEnv } from '../test/support/buildroot-double';

const repetitions = Number(process.argv[2] ?? 3);
const affectedPublish = ['affected', '-t', 'publish', '--base=HEAD~1', '--head=HEAD'];

void withCatalogueWorkspace('nbpr-bench-affected-', 50, async ({ root, ws, registry }) => {
  // The generated packages are published where the project publishes; the examples are
  // published there too, so that all else is published before the measured changes.
  updatePluginOptions(ws, (options) => ({ ...options, registry: `${registry.host}/bench` }));
  commitAll(ws, 'registry');
  const env = { NBPR_CACHE_DIR: join(root, 'store'), NBPR_BUILD_ROOT: join(root, 'build'), ...doubleBuildEnv(root) };
  timedNx(ws, ['run-many', '-t', 'publish', '-p', 'nbpr-hello', 'nbpr-heartbeat'], env);

  const changed: number[] = [];
  const floor: number[] = [];
  let tasks: string[] = [];
  for (let i = 0; i < repetitions; i++) {
    appendFileSync(join(ws, 'examples', 'packages', 'nbpr-heartbeat', 'buildroot', 'package', 'nbpr-heartbeat', 'nbpr-heartbeat.mk'), `# bench revision ${i}\n`);
    commitAll(ws, `heartbeat revision ${i}`);
    const one = timedNx(ws, affectedPublish, env);
    if (!/published nbpr-heartbeat 0\.1\.0 as /.test(one.run.output)) throw new Error(`nbpr-heartbeat was not built and published:\n${one.run.output}`);
    changed.push(one.seconds);
    tasks = [...one.run.ran].sort();

    appendFileSync(join(ws, 'packages', 'jq', 'README.md'), `\nbench revision ${i}\n`);
    commitAll(ws, `README revision ${i}`);
    const none = timedNx(ws, affectedPublish, env);
    if (none.run.ran.size !== 0) throw new Error(`a README change ran tasks: ${[...none.run.ran].join(', ')}`);
    floor.push(none.seconds);
  }
  console.log(`nx affected -t publish on the catalogue (63 projects), all else published; medians of ${repetitions}:`);
  console.log(`  one package changed in buildroot/ (${tasks.join(', ')}): ${median(changed).toFixed(2)} s`);
  console.log(`  README-only change, nothing affected (floor): ${median(floor).toFixed(2)} s`);
  console.log(`  ratio ${(median(changed) / median(floor)).toFixed(2)}`);
});
