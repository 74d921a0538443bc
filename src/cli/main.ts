import { readSettingFiles } from '../lib/config.ts';
import { describeError } from '../lib/errors.ts';

const HELP = `portico: a GitOps-native developer portal

Usage:
  portico start [--rebuild]           build the docs and start the portal (embedded defaults);
                                      a site built from the same content, settings and
                                      Portico is reused unless --rebuild
  portico build [--out dir] [--strict]
                                      build the site and server once, for serve (default: the data
                                      directory's site/); --strict: exit 1 on content errors
  portico serve [--site dir]          serve a portal built before (default: the data directory's site/)
  portico catalog [root] [--json]     show what Portico makes of a content repository
                  [--offline] [--no-cache]
  portico lint [root] [--format human|json|sarif|checkstyle|github]
               [--max-warnings N] [--rule.<name>=false]
                                      check a content repository (exit 1 on errors)
  portico impact <base>..<head> [--json] [--root dir]
                                      who gains or loses which API between two revisions
  portico bench [--only catalog,site,weight,provisioning,island] [--specs N] [--duration S]
                                      run the benchmarks and print their figures (bench-results/)
  portico help                        this text

Settings come from the environment; see Configuration in the README.`;

/** Runs one command; returns the process exit code. Errors are printed as messages, never stack traces. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    useSettingFiles();
    switch (command) {
      case 'catalog':
        return await (await import('./catalog-command.ts')).runCatalogCommand(rest);
      case 'lint':
        return await (await import('./lint-command.ts')).runLintCommand(rest);
      case 'impact':
        return await (await import('./impact-command.ts')).runImpactCommand(rest);
      case 'start':
        return await (await import('./start-command.ts')).runStartCommand(rest);
      case 'build':
        return await (await import('./build-command.ts')).runBuildCommand(rest);
      case 'serve':
        return await (await import('./serve-command.ts')).runServeCommand(rest);
      case 'bench':
        return await (await import('../bench/run.ts')).runBench(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return 0;
      default:
        console.error(`portico: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    console.error(`portico ${command}: ${describeError(err)}`);
    return 1;
  }
}

/**
 * Puts the values of `NAME_FILE` settings (mounted Secrets) into the environment once, in place of
 * the `_FILE` entries, so every part that reads a setting (the build, the server, the gateway) sees it.
 */
function useSettingFiles(): void {
  const resolved = readSettingFiles(process.env);
  for (const name of Object.keys(process.env)) if (!(name in resolved)) delete process.env[name];
  Object.assign(process.env, resolved);
}
