import { execFileSync } from 'node:child_process';
import { canonicalJson, type KeyDocument } from '@nbpr/key';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1';
export const NBPR_BUILD_TYPE = 'https://nbpr.dev/provenance/buildroot-package/v1';

/** Who made an artefact: the CI run, or a source build on a kind of host. */
export interface Builder {
  id: string;
  /** The run's address, or "source build on linux-x64": what a fetch prints as "built by". */
  invocationId: string;
}

export interface SourceCommit {
  uri: string;
  commit: string;
}

/** A published artefact as its signature and provenance name it. */
export interface PublishedArtefact {
  /** The repository it is published in: registry/namespace/package (Site.identity). */
  identity: string;
  manifestDigest: string;
  tag: string;
  key: string;
  keyDocument: KeyDocument;
  /** Where the publisher's store got it: the store record's source (a source build, or a site). */
  obtainedFrom: string;
}

/** The builder a publish runs under: GitHub Actions names its run; anything else is a source build on this host. */
export function currentBuilder(env: NodeJS.ProcessEnv): Builder {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    const run = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
    return { id: `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/.github/workflows`, invocationId: `${run}${attempt}` };
  }
  const host = `${process.platform}-${process.arch}`;
  return { id: `https://nbpr.dev/builders/source-build/${host}`, invocationId: `source build on ${host}` };
}

/** The workspace's commit: CI's GITHUB_SHA, else git's HEAD; undefined outside a repository. */
export function sourceCommit(workspaceRoot: string, env: NodeJS.ProcessEnv): SourceCommit | undefined {
  if (env.GITHUB_SHA && env.GITHUB_REPOSITORY) return { uri: `git+${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}`, commit: env.GITHUB_SHA };
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
    return /^[0-9a-f]{40}$/.test(commit) ? { uri: 'git+file:workspace', commit } : undefined;
  } catch {
    return undefined;
  }
}

/** An in-toto v1 statement with a SLSA v1 provenance predicate, as canonical JSON bytes. */
export function provenanceStatement(p: PublishedArtefact, builder: Builder, source: SourceCommit | undefined): Buffer {
  return Buffer.from(
    canonicalJson({
      _type: IN_TOTO_STATEMENT,
      subject: [{ name: p.identity, digest: { sha256: p.manifestDigest.replace(/^sha256:/, '') } }],
      predicateType: SLSA_PROVENANCE,
      predicate: {
        buildDefinition: {
          buildType: NBPR_BUILD_TYPE,
          externalParameters: { package: p.keyDocument.package, tag: p.tag, key: p.key, keyDocument: p.keyDocument },
          internalParameters: { obtainedFrom: p.obtainedFrom },
          resolvedDependencies: source ? [{ uri: source.uri, digest: { gitCommit: source.commit } }] : [],
        },
        runDetails: {
          builder: { id: builder.id },
          metadata: { invocationId: builder.invocationId },
        },
      },
    }),
  );
}

export interface ProvenanceSummary {
  builder: string;
  commit?: string;
}

/** What a verified statement says, if it is about `manifestDigest`. */
export function readProvenance(payload: Buffer, manifestDigest: string): ProvenanceSummary | { error: string } {
  let statement: any;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    return { error: 'the provenance statement is not JSON' };
  }
  if (statement?._type !== IN_TOTO_STATEMENT || statement.predicateType !== SLSA_PROVENANCE) return { error: 'the attestation is not a SLSA provenance statement' };
  const hex = manifestDigest.replace(/^sha256:/, '');
  if (!Array.isArray(statement.subject) || !statement.subject.some((s: any) => s?.digest?.sha256 === hex)) return { error: `the provenance statement is about another manifest than ${manifestDigest}` };
  const run = statement.predicate?.runDetails;
  return { builder: String(run?.metadata?.invocationId ?? run?.builder?.id ?? 'unknown'), commit: statement.predicate?.buildDefinition?.resolvedDependencies?.[0]?.digest?.gitCommit };
}
