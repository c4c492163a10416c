import { repoPath } from '@stackproof/core';

/**
 * What the sandbox runs for a container image. KWOK nodes run no containers, so the data plane
 * maps an image repository to the program its Dockerfile would start: the same entry point from
 * the source tree, on the host, on a loopback port. The image tag is ignored: the sandbox always
 * runs the checked-out source.
 */
export interface WorkloadProgram {
  /** Image repository without tag or digest, as the chart writes it (`stackproof/backend`). */
  readonly imageRepository: string;
  /** The image's ENTRYPOINT; `node` is this Node binary. A container's `command` replaces it. */
  readonly entrypoint: readonly string[];
  /** The image's CMD; a container's `args` replace it (and a `command` alone drops it). */
  readonly cmd: readonly string[];
  /** The image's WORKDIR in the source tree. */
  readonly cwd: string;
}

/** The reference services, as their Dockerfiles start them (ENTRYPOINT ["node"], CMD ["src/main.ts"]). */
export const REFERENCE_PROGRAMS: readonly WorkloadProgram[] = [
  {
    imageRepository: 'stackproof/backend',
    entrypoint: ['node'],
    cmd: ['src/main.ts'],
    cwd: repoPath('services', 'backend'),
  },
  {
    imageRepository: 'stackproof/frontend',
    entrypoint: ['node'],
    cmd: ['src/main.ts'],
    cwd: repoPath('services', 'frontend'),
  },
];

/**
 * The argv a container runs, with Kubernetes' rules for command/args over ENTRYPOINT/CMD:
 * `command` replaces the entrypoint and drops CMD, `args` replaces CMD. `node` is this Node.
 */
export function containerArgv(
  program: WorkloadProgram,
  container: { readonly command?: readonly string[]; readonly args?: readonly string[] },
): { command: string; args: string[] } {
  const entrypoint = container.command ?? program.entrypoint;
  const args = container.args ?? (container.command === undefined ? program.cmd : []);
  const [first, ...rest] = [...entrypoint, ...args];
  if (first === undefined) throw new Error(`image ${program.imageRepository}: nothing to run`);
  return { command: first === 'node' ? process.execPath : first, args: rest };
}

/** `registry:5000/stackproof/backend:0.1.0@sha256:…` → `registry:5000/stackproof/backend`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  // A colon after the last slash is a tag; one before it belongs to a registry host:port.
  return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

/**
 * The program for an image: an exact repository match, or a match of its trailing path so that
 * an ECR repository (`123.dkr.ecr.me-central-1.amazonaws.com/stackproof/backend`) finds it too.
 */
export function programForImage(
  image: string,
  programs: readonly WorkloadProgram[] = REFERENCE_PROGRAMS,
): WorkloadProgram | undefined {
  const repository = imageRepository(image);
  return programs.find(
    (p) => repository === p.imageRepository || repository.endsWith(`/${p.imageRepository}`),
  );
}
