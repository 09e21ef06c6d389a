// The shape of src/, checked on every test run (docs: ../shared/STYLE.md, section 1):
// - no import cycle between files, and none between top-level folders (a file directly in src/
//   is its own node). Type-only imports count: they show the layering too;
// - no source file (tests excepted) over MAX_SOURCE_LINES lines.
// Pure: it reads the files and parses them with TypeScript's parser; nothing is compiled or run.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The most lines a source file of src/ may have; tests (`*.test.ts`) are exempt. */
const MAX_SOURCE_LINES = 400;

const SRC = dirname(fileURLToPath(import.meta.url));

type Graph = ReadonlyMap<string, ReadonlySet<string>>;

/** Every `.ts` file under `dir`, as absolute paths, sorted. */
function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

const isTest = (path: string): boolean => path.endsWith('.test.ts');

/**
 * Every module specifier `text` refers to: `import ... from`, `import '...'`, `export ... from`,
 * `import x = require('...')`, `import('...')` and `typeof import('...')`, type-only or not.
 * Comments and strings are not mistaken for imports: this walks TypeScript's syntax tree.
 */
function moduleSpecifiers(text: string): string[] {
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      if (ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      if (ts.isStringLiteral(node.moduleReference.expression)) out.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteralLike(argument)) out.push(argument.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The file a relative specifier names (`./a.js` is `./a.ts`, `./dir` is `./dir/index.ts`), or undefined. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base];
  return candidates.find((path) => path.endsWith('.ts') && existsSync(path) && statSync(path).isFile());
}

interface SourceGraph {
  /** Source files (tests excluded) and the source files each imports, relative to src/. */
  readonly files: Graph;
  /** Relative specifiers inside src/ that name no file: `importer -> specifier`. */
  readonly unresolved: readonly string[];
}

function buildFileGraph(root: string): SourceGraph {
  const files = new Map<string, Set<string>>();
  const unresolved: string[] = [];
  const rel = (path: string): string => relative(root, path).split(sep).join('/');
  for (const file of listTsFiles(root).filter((path) => !isTest(path))) {
    const targets = new Set<string>();
    for (const specifier of moduleSpecifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveSpecifier(file, specifier);
      if (target === undefined) {
        if (!relative(root, resolve(dirname(file), specifier)).startsWith('..')) unresolved.push(`${rel(file)} -> ${specifier}`);
      } else if (!relative(root, target).startsWith('..') && !isTest(target)) {
        targets.add(rel(target));
      }
    }
    files.set(rel(file), targets);
  }
  return { files, unresolved };
}

/** The node of a file in the folder graph: its top-level folder under src/, or the file itself. */
const folderOf = (file: string): string => file.split('/')[0] ?? file;

function buildFolderGraph(files: Graph): Graph {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = folders.get(from) ?? new Set<string>();
    folders.set(from, edges);
    for (const target of targets) if (folderOf(target) !== from) edges.add(folderOf(target));
  }
  return folders;
}

/**
 * One cycle per strongly connected component of `graph` that has one (Tarjan's algorithm, then
 * the shortest way back to the component's first node), each as a path `a -> b -> a`. Sorted,
 * so a report reads the same on every run.
 */
function findCycles(graph: Graph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) {
          onStack.delete(member);
          component.push(member);
        }
      } while (member !== undefined && member !== node);
      components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);

  const cycles: string[] = [];
  for (const component of components) {
    const [start] = component;
    if (start === undefined) continue;
    if (component.length === 1 && !(graph.get(start)?.has(start) ?? false)) continue;
    cycles.push(shortestCycleThrough(graph, start, new Set(component)).join(' -> '));
  }
  return cycles.sort();
}

/** The shortest path `start -> ... -> start` inside `members` (breadth-first). */
function shortestCycleThrough(graph: Graph, start: string, members: ReadonlySet<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const node = queue[head] as string;
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = cameFrom.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Lines as an editor counts them (a final newline does not start another line). */
function countLines(text: string): number {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

describe('structure checker', () => {
  it('finds every form of import and export, type-only included, and nothing in comments or strings', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from './b.js';",
      'import { type C, d } from "./c.js";',
      "import {\n  e,\n  f,\n} from '../e.js';",
      "import './side-effect.js';",
      "import g = require('./g.js');",
      "export { h } from './h.js';",
      "export type { I } from './i.js';",
      "export * from './j.js';",
      "export * as k from './k.js';",
      "const l = await import('./l.js');",
      "type M = typeof import('./m.js');",
      "import n from 'node:fs';",
      "// import x from './line-comment.js';",
      "/* export { y } from './block-comment.js'; */",
      `const s = "import z from './in-string.js'";`,
      "const r = /['\"]/; import o from './after-regex.js';",
    ].join('\n');
    expect(moduleSpecifiers(text)).toEqual([
      './a.js', './b.js', './c.js', '../e.js', './side-effect.js', './g.js', './h.js', './i.js', './j.js',
      './k.js', './l.js', './m.js', 'node:fs', './after-regex.js',
    ]);
  });

  it.each<[string, Record<string, string[]>, string[]]>([
    ['no cycle', { a: ['b'], b: ['c'], c: [] }, []],
    ['a self-import', { a: ['a'] }, ['a -> a']],
    ['a two-node cycle', { a: ['b'], b: ['a'] }, ['a -> b -> a']],
    ['the shortest cycle of a component', { a: ['b'], b: ['c', 'a'], c: ['a'] }, ['a -> b -> a']],
    ['one cycle per component', { a: ['b'], b: ['a'], c: ['d'], d: ['e'], e: ['c'], f: ['a'] }, ['a -> b -> a', 'c -> d -> e -> c']],
  ])('findCycles: %s', (_label, edges, expected) => {
    const graph = new Map(Object.entries(edges).map(([node, targets]) => [node, new Set(targets)]));
    expect(findCycles(graph)).toEqual(expected);
  });

  it.each([
    ['', 0],
    ['one', 1],
    ['one\n', 1],
    ['one\ntwo', 2],
    ['one\n\n', 2],
  ])('countLines(%j) is %i', (text, expected) => {
    expect(countLines(text)).toBe(expected);
  });

  it('groups files by top-level folder; a file directly in src/ is its own node', () => {
    const files = new Map([
      ['index.ts', new Set(['store/a.ts'])],
      ['store/a.ts', new Set(['store/b.ts', 'errors.ts'])],
      ['store/b.ts', new Set(['dynamo/x/c.ts'])],
      ['dynamo/x/c.ts', new Set<string>()],
      ['errors.ts', new Set<string>()],
    ]);
    expect(buildFolderGraph(files)).toEqual(
      new Map([
        ['index.ts', new Set(['store'])],
        ['store', new Set(['errors.ts', 'dynamo'])],
        ['dynamo', new Set()],
        ['errors.ts', new Set()],
      ]),
    );
  });
});

describe('structure of src/', () => {
  const { files, unresolved } = buildFileGraph(SRC);

  it('reads the whole source tree', () => {
    expect(files.has('index.ts')).toBe(true);
    expect(files.get('index.ts')?.size ?? 0).toBeGreaterThan(0);
    expect([...files.keys()].some(isTest)).toBe(false);
  });

  it('resolves every relative import inside src/ to a file', () => {
    expect(unresolved).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(findCycles(files), 'file cycles (type-only imports count)').toEqual([]);
  });

  it('has no import cycle between top-level folders', () => {
    expect(findCycles(buildFolderGraph(files)), 'folder cycles (type-only imports count)').toEqual([]);
  });

  it(`has no source file over ${MAX_SOURCE_LINES} lines (tests excepted)`, () => {
    const tooLong = listTsFiles(SRC)
      .filter((path) => !isTest(path))
      .map((path) => ({ file: relative(SRC, path).split(sep).join('/'), lines: countLines(readFileSync(path, 'utf8')) }))
      .filter(({ lines }) => lines > MAX_SOURCE_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(tooLong, `split these files (at most ${MAX_SOURCE_LINES} lines each)`).toEqual([]);
  });
});
