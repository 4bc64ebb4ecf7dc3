export { readArtefactFacts } from './artefact-facts';
export { fetchArtefact } from './fetch-artefact';
export { FETCH_CONCURRENCY, type FetchedPackage, fetchSelection } from './fetch-resolved';
export { publishArtefact } from './publish';
export { publishStored } from './publish-stored';
export { siteFor, workspaceSites } from './sites';
export { verifyPublished } from './verify-published';
export { whyMiss } from './why-miss';
