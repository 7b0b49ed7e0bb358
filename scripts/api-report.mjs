#!/usr/bin/env node
// The API report of the package in the current directory, one per entry in its package.json
// `exports` (`api/<name>.api.md`, `api/<name>-<subpath>.api.md`), from the built `.d.ts` files.
// Check mode (CI): fails when a report differs from the committed one, so an unintended export
// change fails the build. `--update`: write the reports (commit them with the change).
// Usage, in a package: `pnpm api-report` / `pnpm api-report:update` (after `pnpm build`).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const update = process.argv.includes('--update');
const projectFolder = process.cwd();
const packageJsonFullPath = path.join(projectFolder, 'package.json');
const pkg = JSON.parse(readFileSync(packageJsonFullPath, 'utf8'));
const configFile = path.join(projectFolder, 'api-extractor.json');
if (!existsSync(configFile)) throw new Error(`${pkg.name}: no api-extractor.json`);
const base = ExtractorConfig.loadFile(configFile);
const shortName = pkg.name.split('/').pop();

mkdirSync(path.join(projectFolder, 'api'), { recursive: true });
let failed = 0;
for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
  const types = target?.import?.types ?? target?.types;
  if (typeof types !== 'string') continue;
  const suffix = subpath === '.' ? '' : `-${subpath.slice(2).replaceAll('/', '-')}`;
  const config = ExtractorConfig.prepare({
    configObject: {
      ...base,
      projectFolder,
      mainEntryPointFilePath: path.join(projectFolder, types),
      apiReport: { ...base.apiReport, reportFileName: `${shortName}${suffix}` },
    },
    configObjectFullPath: configFile,
    packageJsonFullPath,
  });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  if (!result.succeeded) {
    failed++;
    console.error(
      `${pkg.name} ${subpath}: ${result.apiReportChanged ? 'the API report changed' : 'api-extractor failed'}` +
        (result.apiReportChanged
          ? ` (an export was added, removed or changed: if intended, run \`pnpm api-report:update\` in ${path.relative(process.cwd(), projectFolder) || '.'} and commit api/)`
          : ''),
    );
  }
}
if (failed > 0) process.exit(1);
