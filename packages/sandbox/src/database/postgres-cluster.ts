// A PostgreSQL cluster from Debian's server binaries (initdb, pg_ctl) in a directory of its own on
// a free loopback port: the sandbox's database (a primary and its streaming standby, see
// multi-az-database.ts) and the backend tests' throwaway servers. PostgreSQL refuses to run as
// root, so as root every command runs as the `postgres` system user (runuser).
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOOPBACK_HOST, reserveLoopbackPort, StackproofError } from '@stackproof/core';
import { checkTool, outputTail, runTool } from '@stackproof/toolchain';

export class PostgresMissingError extends StackproofError {
  constructor(detail: string) {
    super(
      'POSTGRES_MISSING',
      'environment',
      `PostgreSQL server binaries not found (${detail}); install them with: apt-get install postgresql`,
    );
  }
}

/** A PostgreSQL command (initdb, pg_ctl, psql) failed; its output says why. */
export class PostgresCommandError extends StackproofError {
  constructor(command: string, output: string) {
    super('POSTGRES_COMMAND_FAILED', 'environment', `${command} failed:\n${output}`);
  }
}

/** Finds initdb/pg_ctl: PG_BIN_DIR, then the newest /usr/lib/postgresql/<v>/bin, then PATH. */
export function findPgBinDir(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN_DIR) candidates.push(process.env.PG_BIN_DIR);
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  }
  candidates.push(...(process.env.PATH ?? '').split(':').filter(Boolean));
  const found = candidates.find(
    (d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')),
  );
  if (!found) throw new PostgresMissingError(`looked in ${candidates.slice(0, 4).join(', ')}, ...`);
  return found;
}

const asRoot = process.getuid?.() === 0;

/** The given directory (created), or a fresh temporary one. */
async function rootDirOf(rootDir: string | undefined): Promise<string> {
  if (rootDir === undefined) return mkdtemp(join(tmpdir(), 'stackproof-pg-'));
  await mkdir(rootDir, { recursive: true });
  return rootDir;
}

export interface ClusterInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
}

export interface ClusterOptions {
  /** Copy this initialised data dir instead of running initdb (much faster). */
  templateDataDir?: string;
  /** Extra postgresql.conf lines (e.g. ssl = on). */
  conf?: string[];
  /** Replaces pg_hba.conf. */
  hba?: string;
  /** Files to write into the data dir before start (name -> content), owned by the server user. */
  files?: Record<string, string>;
  /**
   * Directory for the data dir, socket and server log; created, must not exist or be empty.
   * Default: a fresh temporary directory. destroy() removes it either way.
   */
  rootDir?: string;
  /**
   * Settings a primary needs to feed a streaming standby (WAL level replica, WAL senders, WAL kept
   * for a standby that is rebuilt from it). initdb's pg_hba.conf already admits replication
   * connections from 127.0.0.1 with the host auth method.
   */
  replication?: boolean;
}

/**
 * postgresql.conf lines of a primary that streams to a standby, and of that standby. Commits wait
 * for the standby once it is named in `synchronous_standby_names` (MultiAzDatabase does that
 * when it streams), so the base settings' `synchronous_commit = off` is turned back on here.
 */
const REPLICATION_CONF = [
  "wal_level = 'replica'",
  'max_wal_senders = 4',
  "wal_keep_size = '64MB'",
  'hot_standby = on',
  'synchronous_commit = on',
];

export const SUPERUSER = 'stackproof';
export const PASSWORD = 'stackproof-test-password';

/** One cluster; `stop()`/`start()` can be repeated (outage tests), `destroy()` removes everything. */
export class PostgresCluster implements AsyncDisposable {
  readonly info: ClusterInfo;
  readonly #root: string;
  readonly #bin: string;
  readonly #logFile: string;

  private constructor(root: string, bin: string, port: number) {
    this.#root = root;
    this.#bin = bin;
    this.#logFile = join(root, 'server.log');
    this.info = {
      host: LOOPBACK_HOST,
      port,
      user: SUPERUSER,
      password: PASSWORD,
      dataDir: join(root, 'data'),
    };
  }

  static async create(options: ClusterOptions = {}): Promise<PostgresCluster> {
    const bin = findPgBinDir();
    const cluster = new PostgresCluster(
      await rootDirOf(options.rootDir),
      bin,
      await reserveLoopbackPort(),
    );
    try {
      await cluster.#init(options);
      await cluster.start();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  /**
   * A streaming-replication standby of `primary`: a base backup taken over the replication
   * protocol (pg_basebackup, WAL streamed alongside), `standby.signal`, and `primary_conninfo`
   * pointing at the primary's port, started on a port of its own. It follows the primary until
   * `promote()`.
   */
  static async createStandby(
    primary: PostgresCluster,
    options: { rootDir?: string; applicationName: string },
  ): Promise<PostgresCluster> {
    const bin = findPgBinDir();
    const root = await rootDirOf(options.rootDir);
    const standby = new PostgresCluster(root, bin, await reserveLoopbackPort());
    try {
      if (asRoot) {
        await chmod(root, 0o755);
        await chown(root, ...(await postgresIds()));
      }
      await standby.#run(join(bin, 'pg_basebackup'), [
        '-d',
        primary.#conninfo(options.applicationName),
        '-D',
        standby.info.dataDir,
        '-X',
        'stream',
        '-c',
        'fast',
        '--no-sync',
      ]);
      // The backup carries the primary's postgresql.auto.conf (its socket directory): replaced.
      await standby.#writeConf([
        ...REPLICATION_CONF,
        `primary_conninfo = '${primary.#conninfo(options.applicationName).replaceAll("'", "\\'")}'`,
      ]);
      await writeFile(join(standby.info.dataDir, 'standby.signal'), '');
      if (asRoot) await chownTree(standby.info.dataDir);
      await standby.start();
    } catch (error) {
      await standby.destroy();
      throw error;
    }
    return standby;
  }

  /** libpq connection string of this server over TCP, as its superuser. */
  #conninfo(applicationName: string): string {
    return `host=${this.info.host} port=${this.info.port} user=${SUPERUSER} password=${PASSWORD} application_name=${applicationName}`;
  }

  async #writeConf(extra: readonly string[]): Promise<void> {
    const conf = [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${this.#root}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 100',
      ...extra,
    ];
    await writeFile(join(this.info.dataDir, 'postgresql.auto.conf'), `${conf.join('\n')}\n`);
  }

  async #run(cmd: string, args: string[]): Promise<string> {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const result = await runTool(file, argv, { cwd: this.#root, timeoutMs: 60_000 });
    if (result.exitCode !== 0) {
      throw new PostgresCommandError(`${cmd} ${args.join(' ')}`, outputTail(result, 15));
    }
    return result.stdout;
  }

  async #init(options: ClusterOptions): Promise<void> {
    if (asRoot) {
      await chmod(this.#root, 0o755);
      await chown(this.#root, ...(await postgresIds()));
    }
    const { dataDir } = this.info;
    if (options.templateDataDir) {
      await cp(options.templateDataDir, dataDir, { recursive: true, preserveTimestamps: true });
      if (asRoot) await chownTree(dataDir);
      await chmod(dataDir, 0o700);
    } else {
      const pwfile = join(this.#root, 'pwfile');
      await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
      if (asRoot) await chown(pwfile, ...(await postgresIds()));
      await this.#run(join(this.#bin, 'initdb'), [
        '-D',
        dataDir,
        '-U',
        SUPERUSER,
        `--pwfile=${pwfile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--no-sync',
        '--locale=C',
      ]);
      await rm(pwfile);
    }
    await this.#writeConf([
      ...(options.replication === true ? REPLICATION_CONF : []),
      ...(options.conf ?? []),
    ]);
    if (options.hba) await writeFile(join(dataDir, 'pg_hba.conf'), options.hba);
    for (const [name, content] of Object.entries(options.files ?? {})) {
      await writeFile(join(dataDir, name), content, { mode: 0o600 });
    }
    if (asRoot) await chownTree(dataDir);
  }

  async start(): Promise<void> {
    // -w waits (bounded by -t) until the server accepts connections.
    await this.#run(join(this.#bin, 'pg_ctl'), [
      '-D',
      this.info.dataDir,
      '-l',
      this.#logFile,
      '-o',
      `-p ${this.info.port}`,
      '-w',
      '-t',
      '30',
      'start',
    ]);
  }

  /**
   * Fast shutdown: open sessions are terminated, as when the database host goes away. `immediate`
   * is a power loss: the server quits without a checkpoint (crash recovery on the next start).
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.#run(join(this.#bin, 'pg_ctl'), [
      '-D',
      this.info.dataDir,
      '-m',
      mode,
      '-w',
      '-t',
      '30',
      'stop',
    ]);
  }

  /** Ends recovery of a standby: it becomes a primary that accepts writes (pg_ctl promote -w). */
  async promote(): Promise<void> {
    await this.#run(join(this.#bin, 'pg_ctl'), [
      '-D',
      this.info.dataDir,
      '-w',
      '-t',
      '30',
      'promote',
    ]);
  }

  /**
   * One SQL statement through the server's own socket (psql, unaligned, tuples only), for the
   * sandbox's own questions (is a standby streaming?), never for the workloads.
   */
  async query(sql: string, database = 'postgres'): Promise<string> {
    return (
      await this.#run(join(this.#bin, 'psql'), [
        '-h',
        this.#root,
        '-p',
        String(this.info.port),
        '-U',
        SUPERUSER,
        '-d',
        database,
        '-tAc',
        sql,
      ])
    ).trim();
  }

  /** Creates a database owned by the superuser (no-op when it exists). */
  async createDatabase(name: string): Promise<void> {
    const args = ['-h', this.#root, '-p', String(this.info.port), '-U', SUPERUSER];
    const list = await this.#run(join(this.#bin, 'psql'), [
      ...args,
      '-d',
      'postgres',
      '-tAc',
      `SELECT 1 FROM pg_database WHERE datname = '${name.replaceAll("'", "''")}'`,
    ]);
    if (list.trim() !== '1') await this.#run(join(this.#bin, 'createdb'), [...args, name]);
  }

  /** The directory holding the data dir, socket and log. */
  get rootDir(): string {
    return this.#root;
  }

  /** The server log (pg_ctl -l). */
  get logFile(): string {
    return this.#logFile;
  }

  async isRunning(): Promise<boolean> {
    try {
      await this.#run(join(this.#bin, 'pg_ctl'), ['-D', this.info.dataDir, 'status']);
      return true;
    } catch {
      return false;
    }
  }

  async destroy(): Promise<void> {
    if (await this.isRunning()) await this.stop().catch(() => undefined);
    await rm(this.#root, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }
}

/**
 * Whether the server's user can reach `dir` (every parent searchable). As root the server runs
 * as `postgres`, which cannot enter a 0700 directory such as a mkdtemp dir or /root.
 */
export async function serverUserCanReach(dir: string): Promise<boolean> {
  if (!asRoot) return true;
  return (await runTool('runuser', ['-u', 'postgres', '--', 'test', '-x', dir])).exitCode === 0;
}

let ids: [number, number] | undefined;
async function postgresIds(): Promise<[number, number]> {
  if (!ids) {
    const { stdout: uid } = checkTool(await runTool('id', ['-u', 'postgres']));
    const { stdout: gid } = checkTool(await runTool('id', ['-g', 'postgres']));
    ids = [Number(uid.trim()), Number(gid.trim())];
  }
  return ids;
}

async function chownTree(dir: string): Promise<void> {
  const [uid, gid] = await postgresIds();
  checkTool(await runTool('chown', ['-R', `${uid}:${gid}`, dir]));
}
