/**
 * The environment every k6 process gets: k6 v2 otherwise reaches out to the network to resolve
 * extensions and to report usage, which the closed network here refuses (and a user's CI should
 * not need).
 */
export function k6ChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, K6_AUTO_EXTENSION_RESOLUTION: 'false', K6_NO_USAGE_REPORT: 'true' };
}
