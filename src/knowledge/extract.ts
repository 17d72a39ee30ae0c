import { basename, extname } from 'node:path';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import { extractText, getDocumentProxy } from 'unpdf';
import { markdownSections, type Section } from './chunking.ts';

/** File types the ingestion reads, by extension. */
export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.txt', '.text', '.html', '.htm', '.pdf'] as const;

export class UnsupportedFileError extends Error {
  override name = 'UnsupportedFileError';
}

export function isSupported(path: string): boolean {
  return (SUPPORTED_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** A document's text as sections under its headings. Throws on a file it cannot read as its type says. */
export async function extractSections(path: string, bytes: Uint8Array): Promise<Section[]> {
  const extension = extname(path).toLowerCase();
  switch (extension) {
    case '.md':
    case '.markdown':
      return markdownSections(decodeUtf8(bytes, path));
    case '.txt':
    case '.text':
      return plainSections(decodeUtf8(bytes, path), path);
    case '.html':
    case '.htm':
      return htmlSections(decodeUtf8(bytes, path));
    case '.pdf':
      return pdfSections(bytes, path);
    default:
      throw new UnsupportedFileError(`unsupported file type "${extension || basename(path)}" (supported: ${SUPPORTED_EXTENSIONS.join(' ')})`);
  }
}

function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new Error(`${basename(path)} is not UTF-8 text`);
  }
}

function plainSections(text: string, path: string): Section[] {
  return text.trim() ? [{ headings: [basename(path, extname(path))], text }] : [];
}

const SKIPPED_ELEMENTS = 'script, style, noscript, template, nav, svg, head';

/** HTML headings become Markdown headings and blocks become paragraphs; then it is Markdown. */
function htmlSections(html: string): Section[] {
  const root = parseHtml(html, { blockTextElements: { pre: true } });
  for (const element of root.querySelectorAll(SKIPPED_ELEMENTS)) element.remove();
  const body = root.querySelector('body') ?? root;
  const lines: string[] = [];
  walk(body, lines);
  const title = root.querySelector('title')?.text.trim();
  const sections = markdownSections(lines.join('\n'));
  // A page with no headings of its own is filed under its title.
  return title ? sections.map((s) => (s.headings.length === 0 ? { ...s, headings: [title] } : s)) : sections;
}

const BLOCKS = new Set(['p', 'div', 'li', 'pre', 'blockquote', 'td', 'th', 'dt', 'dd', 'section', 'article', 'main', 'tr', 'table', 'ul', 'ol', 'br', 'hr']);

function walk(element: HTMLElement, lines: string[]): void {
  let inline = '';
  const flushInline = () => {
    const text = inline.replace(/\s+/g, ' ').trim();
    if (text) lines.push(text, '');
    inline = '';
  };
  for (const node of element.childNodes) {
    if (node.nodeType === 3) {
      inline += node.text;
      continue;
    }
    if (node.nodeType !== 1) continue;
    const child = node as HTMLElement;
    const tag = child.tagName.toLowerCase();
    const level = /^h([1-6])$/.exec(tag)?.[1];
    if (level) {
      flushInline();
      lines.push(`${'#'.repeat(Number(level))} ${child.text.replace(/\s+/g, ' ').trim()}`, '');
    } else if (BLOCKS.has(tag)) {
      flushInline();
      walk(child, lines);
    } else {
      inline += child.text;
    }
  }
  flushInline();
}

async function pdfSections(bytes: Uint8Array, path: string): Promise<Section[]> {
  let pages: string[];
  try {
    // unpdf (pdf.js) takes ownership of the buffer it is given: hand it a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    pages = (await extractText(pdf, { mergePages: false })).text;
  } catch (err) {
    throw new Error(`${basename(path)} is not a readable PDF: ${(err as Error).message}`, { cause: err });
  }
  const title = basename(path, extname(path));
  return pages.map((text) => text.trim()).filter((text) => text !== '').map((text) => ({ headings: [title], text }));
}
