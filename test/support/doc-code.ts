// Reads the TypeScript code blocks and the install lines out of the README and docs/*.md, for the
// test that type-checks every code block against the packed package (readme-code.test.ts).

/** A fenced ```ts block of a document. */
export interface CodeBlock {
  /** The document, relative to the repository root (`README.md`, `docs/frameworks.md`). */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The code, without the fences. */
  readonly code: string;
  /**
   * Why the block is not a program, from the marker line `<!-- not a program: <reason> -->` just
   * above its fence; undefined for a program, which must compile as written.
   */
  readonly notAProgram: string | undefined;
}

const FENCE = /^```(\S*)/;
const MARKER = /^<!--\s*not a program:\s*(.*?)\s*-->$/;
const TS_LANGUAGES = new Set(['ts', 'typescript', 'mts']);

/** Every ```ts (or ```typescript, ```mts) block of a Markdown document, in order. */
export function extractCodeBlocks(doc: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const language = FENCE.exec(lines[i]!)?.[1];
    if (language === undefined) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    if (end === -1) throw new Error(`${doc}:${i + 1}: code block never closed`);
    if (TS_LANGUAGES.has(language)) {
      const marker = MARKER.exec((lines[i - 1] ?? '').trim());
      blocks.push({ doc, line: i + 1, code: lines.slice(i + 1, end).join('\n') + '\n', notAProgram: marker?.[1] });
    }
    i = end;
  }
  return blocks;
}

/**
 * The package names of every `npm install` line in the document's ```sh blocks (flags dropped,
 * versions stripped: `express@5` -> `express`).
 */
export function installedPackages(markdown: string): string[] {
  const names = new Set<string>();
  for (const match of markdown.matchAll(/^npm (?:install|i)\b(.*)$/gm)) {
    const command = match[1]!.split(/\s(?:#|&&|;)/)[0]!;
    for (const word of command.trim().split(/\s+/)) {
      if (word === '' || word.startsWith('-')) continue;
      names.add(word.replace(/(.)@.*$/, '$1'));
    }
  }
  return [...names].sort();
}

/** A file name for a block: `docs/frameworks.md` line 53 -> `docs-frameworks-md-L53.ts`. */
export function blockFileName(block: CodeBlock): string {
  return `${block.doc.replace(/[^A-Za-z0-9]+/g, '-')}-L${block.line}.ts`;
}
