// Every TypeScript code block of the README and docs/*.md compiles as written, the way a new user
// gets it: the packed package (npm pack of the build) in a new ESM project ("type": "module")
// holding exactly the packages the documents' `npm install` lines name, under the strict
// tsconfig that `tsc --init` writes. Once with Express 5 and its declarations, once with Express 4
// and its own. A block that is not a program says so on the line above its fence:
// `<!-- not a program: <reason> -->`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockFileName, extractCodeBlocks, installedPackages, type CodeBlock } from '../support/doc-code.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = 'dynamo-session-manager';

const docs = ['README.md', ...(await readdir(join(root, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const texts = new Map(await Promise.all(docs.map(async (doc) => [doc, await readFile(join(root, doc), 'utf8')] as const)));
const blocks = docs.flatMap((doc) => extractCodeBlocks(doc, texts.get(doc)!));
const programs = blocks.filter((block) => block.notAProgram === undefined);
/** What a user installs by following the documents (our package itself comes from the tarball). */
const userPackages = [...new Set(docs.flatMap((doc) => installedPackages(texts.get(doc)!)))].filter((name) => name !== PACKAGE);

/** The README's Express quick start without its `SessionData` augmentation: the error a user hit. */
const CANARY = `import express from 'express';
import session from 'express-session';
const app = express();
app.use(session({ secret: 'x', resave: false, saveUninitialized: false }));
app.get('/', (req, res) => res.send(\`views: \${(req.session.views = (req.session.views ?? 0) + 1)}\`));
`;

/** `tsc --init` (TypeScript 5.9) for a Node project, with Node's types and no output. */
const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    target: 'esnext',
    types: ['node'],
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    strict: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noUncheckedSideEffectImports: true,
    moduleDetection: 'force',
    skipLibCheck: true,
    noEmit: true,
  },
  include: ['*.ts'],
};

interface Major {
  readonly major: 4 | 5;
  /** Where a package a user installs comes from in this repository's node_modules. */
  readonly source: (name: string) => string;
}
const MAJORS: readonly Major[] = [
  { major: 5, source: (name) => name },
  { major: 4, source: (name) => ({ express: 'express4', '@types/express': '@types/express4' })[name] ?? name },
];

let work: string | undefined;
/** The project directory of each Express major. */
const projects = new Map<4 | 5, string>();

/** A new project with the packed package and the user's packages, and every program in it. */
async function createProject(major: Major, packed: string, dependencies: string[]): Promise<string> {
  const dir = join(work!, `express${major.major}`);
  const modules = join(dir, 'node_modules');
  await mkdir(modules, { recursive: true });
  await cp(packed, join(modules, PACKAGE), { recursive: true });
  for (const name of [...new Set([...userPackages, ...dependencies])]) {
    const from = join(root, 'node_modules', major.source(name));
    if (!existsSync(from)) throw new Error(`${name}, named by an install line, is not a devDependency of this repository: add it`);
    await mkdir(join(modules, name, '..'), { recursive: true });
    // express-session's declarations import express's: a copy resolves them in this project.
    if (name === '@types/express-session') await cp(from, join(modules, name), { recursive: true });
    else await symlink(from, join(modules, name), 'dir');
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `readme-code-express${major.major}`, type: 'module', private: true }));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  await writeFile(join(dir, 'canary.ts'), CANARY);
  for (const block of programs) await writeFile(join(dir, blockFileName(block)), block.code);
  // A block may import an example the doc shows whole (`./kms-envelope.js`): the examples sit beside the blocks.
  for (const example of await readdir(join(root, 'examples'))) if (example.endsWith('.ts')) await cp(join(root, 'examples', example), join(dir, example));
  return dir;
}

/**
 * Declarations parsed once for all the programs (the AWS SDK's are large): the same file always
 * parses to the same tree. The project's own files are never cached.
 */
const parsed = new Map<string, ts.SourceFile>();

/**
 * tsc's diagnostics for one file compiled alone, as its own program: an augmentation in one
 * block (`declare module 'express-session'`) must not make another compile.
 */
function typeCheck(dir: string, file: string): string[] {
  const { options, errors } = ts.parseJsonConfigFileContent(TSCONFIG, ts.sys, dir);
  expect(errors).toEqual([]);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, onError, shouldCreate) => {
    const cacheable = fileName.includes('/node_modules/') || !fileName.startsWith(dir);
    const hit = cacheable ? parsed.get(fileName) : undefined;
    if (hit !== undefined) return hit;
    const sourceFile = getSourceFile(fileName, language, onError, shouldCreate);
    if (cacheable && sourceFile !== undefined) parsed.set(fileName, sourceFile);
    return sourceFile;
  };
  const program = ts.createProgram({ rootNames: [join(dir, file)], options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '' }).trim());
}

beforeAll(async () => {
  expect(existsSync(join(root, 'dist/index.js')), 'run `npm run build` first (npm test does)').toBe(true);
  work = await mkdtemp(join(tmpdir(), 'dsm-readme-code-'));
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, timeout: 60_000 });
  const tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  await run('tar', ['-xzf', tarball, '-C', work]);
  const packed = join(work, 'package');
  const manifest = JSON.parse(await readFile(join(packed, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const major of MAJORS) projects.set(major.major, await createProject(major, packed, Object.keys(manifest.dependencies ?? {})));
}, 120_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the code blocks of the README and docs', () => {
  it('are found, and each one that is not a program says why', () => {
    expect(programs.filter((b) => b.doc === 'README.md').length).toBeGreaterThanOrEqual(4); // Express, Fastify, Koa, local mode
    for (const block of blocks) if (block.notAProgram !== undefined) expect(block.notAProgram, `${block.doc}:${block.line}`).not.toBe('');
  });

  it.each(MAJORS)('are checked by a type-check that fails on the error a user met: the Express quick start without the SessionData augmentation, on Express $major', ({ major }) => {
    expect(typeCheck(projects.get(major)!, 'canary.ts')).toEqual([expect.stringMatching(/^canary\.ts\(5,\d+\): error TS2339: Property 'views' does not exist/), expect.anything()]);
  });

  it('name every package they import in an npm install line', () => {
    expect(userPackages).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', 'express', 'express-session', 'typescript', '@types/node']));
  });

  describe.each(MAJORS)('with Express $major', ({ major }) => {
    it.each(programs.map((block): [string, CodeBlock] => [`${block.doc}:${block.line}`, block]))('%s compiles under strict TypeScript as written', (_, block) => {
      expect(typeCheck(projects.get(major)!, blockFileName(block))).toEqual([]);
    });
  });
});
