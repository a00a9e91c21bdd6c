/**
 * The test projects. Vitest 4 ignores this file on its own: `vitest.config.ts` imports it into `test.projects`.
 * Each package has its own `vitest.config.ts` naming its project.
 */
export default ['packages/*']
