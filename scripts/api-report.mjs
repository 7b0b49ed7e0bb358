#!/usr/bin/env node
// The API report of the package in the current directory, one per entry in its package.json
// `exports` (`api/<name>.api.md`, `api/<name>-<subpath>.api.md`), from the built `.d.ts` files.
// Check mode (CI): fails when a report differs from the committed one, so an unintended export
// change fails the build. `--update`: write the reports (commit them with the change).
// Usage, in a package: `pnpm api-report` / `pnpm api-report:update` (after `pnpm build`).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

// The bundler names shared chunks with a content hash (`upstream-fetch-BjmYglRo.d.ts`), and
// api-extractor prints that file name beside a file-level warning. The hash changes with any edit
// to the chunk, exported or not, so reports are compared and written with it replaced.
// The line and column beside it move with any edit too.
const unhash = (text) => text.replace(/-[A-Za-z0-9_-]{8}(\.d\.[cm]?ts)(:\d+:\d+)?/g, '-[hash]$1');
const normalise = (text) => unhash(text).replace(/\r\n/g, '\n');

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
  const written = config.reportFilePath;
  const fresh = config.reportTempFilePath;
  let succeeded = result.succeeded;
  if (update && existsSync(written)) {
    writeFileSync(written, unhash(readFileSync(written, 'utf8')));
  } else if (!succeeded && result.apiReportChanged && existsSync(written) && existsSync(fresh)) {
    succeeded = normalise(readFileSync(fresh, 'utf8')) === normalise(readFileSync(written, 'utf8'));
  }
  if (!succeeded) {
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
