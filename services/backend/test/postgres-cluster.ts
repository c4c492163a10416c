// The tests' PostgreSQL servers come from the sandbox package, which runs the same server for the
// local stand-in of RDS; one implementation keeps both honest.
export {
  type ClusterInfo,
  type ClusterOptions,
  findPgBinDir,
  freePort,
  PASSWORD,
  PostgresCluster,
  PostgresMissingError,
  SUPERUSER,
} from '@stackproof/sandbox';
