import { writeJsonAtomic } from '@nbpr/model';
import type { FetchedPackage } from '@nbpr/sites';
import { obtainArtefacts } from './obtain-artefacts';
import { sessionOf, type ProjectInput } from './project-input';

export interface FetchOrBuildInput extends ProjectInput {
  /** Where to record what was fetched (fetched.json). */
  outputFile: string;
}

/**
 * fetch-or-build: every resolved package of the project from the local store, else a site,
 * else built from source with Buildroot (and published back when publishAfterBuild says so);
 * recorded in fetched.json.
 */
export async function fetchOrBuild(input: FetchOrBuildInput): Promise<FetchedPackage[]> {
  const session = sessionOf(input);
  const fetched = await obtainArtefacts(session, input.log, input.resolvedFile);
  await writeJsonAtomic(input.outputFile, { schemaVersion: 1, system: session.systemId, packages: fetched });
  return fetched;
}
