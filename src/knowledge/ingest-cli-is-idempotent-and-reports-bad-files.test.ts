import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { startEmbeddingsServer, type EmbeddingsServer } from '../../test/support/embeddings-server.ts';
import { buildKnowledgeProgram } from './cli.ts';

const CORPUS = new URL('../../test/fixtures/knowledge/', import.meta.url).pathname;

let embeddings: EmbeddingsServer;
let work: string;

before(async () => {
  embeddings = await startEmbeddingsServer();
  work = await mkdtemp(join(tmpdir(), 'knowledge-cli-'));
  await cp(CORPUS, join(work, 'docs'), { recursive: true });
});

after(async () => {
  await embeddings.close();
  await rm(work, { recursive: true, force: true });
});

/** Runs `knowledge ARGS...` in-process against the embedded store in the temporary folder. */
async function knowledge(...args: string[]): Promise<{ out: string; error?: Error }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const env = { S2S_EMBEDDINGS_BASE_URL: embeddings.url, S2S_KNOWLEDGE_DIR: join(work, 'store'), S2S_EMBEDDINGS_RETRIES: '0' };
  const program = buildKnowledgeProgram({ stdout, stderr: new PassThrough(), env, signal: new AbortController().signal });
  program.exitOverride();
  try {
    await program.parseAsync(['node', 'knowledge', ...args]);
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  }
}

test('list and search before any ingestion find nothing and create no store', async () => {
  assert.match((await knowledge('list')).out, /^no documents \(embedded store\)$/m);
  assert.match((await knowledge('search', 'refund')).out, /^no passages$/m);
  assert.equal(existsSync(join(work, 'store')), false);
});

test('a folder of Markdown, Chinese Markdown, HTML, text and PDF is ingested, listed and searchable', async () => {
  const { out, error } = await knowledge('ingest', join(work, 'docs'));
  assert.equal(error, undefined);
  for (const name of ['returns-policy.md', '保修政策.md', 'store-hours.html', 'warehouse-notes.txt', 'pairing-guide.pdf']) {
    assert.match(out, new RegExp(`added .*${name} \\(\\d+ chunks?\\)`), out);
  }
  const listed = await knowledge('list');
  assert.equal(listed.out.trim().split('\n').length, 5, listed.out);

  const english = await knowledge('search', 'How long does the Aurora X2 headset refund take?');
  assert.match(english.out.split('\n')[0] ?? '', /returns-policy\.md > Aurora Outfitters handbook > Refunds/);
  assert.match(english.out, /seventeen business days/);
  const chinese = await knowledge('search', '极光X2耳机的保修期是多久？');
  assert.match(chinese.out.split('\n')[0] ?? '', /保修政策\.md > 保修政策 > 耳机/);
  const pdf = await knowledge('search', 'how do I pair the headset button');
  assert.match(pdf.out, /eight seconds/);
  const html = await knowledge('search', 'Lisbon store holidays');
  assert.match(html.out, /first Sunday of December/);
  assert.doesNotMatch(html.out, /tracking|Home/, 'scripts and navigation are not content');
});

test('ingesting again does nothing for unchanged files and replaces the chunks of a changed one', async () => {
  await knowledge('ingest', join(work, 'docs'));
  const requestsBefore = embeddings.requests.length;
  const again = await knowledge('ingest', join(work, 'docs'));
  assert.equal(again.out.match(/^unchanged /gm)?.length, 5, again.out);
  assert.equal(embeddings.requests.length, requestsBefore, 'no embedding requested for unchanged files');

  await writeFile(join(work, 'docs', 'warehouse-notes.txt'), 'Warehouse notes\n\nThe Porto gate code changed to 9012 in November.\n');
  const changed = await knowledge('ingest', join(work, 'docs'));
  assert.match(changed.out, /updated .*warehouse-notes\.txt \(1 chunk\)/);
  const found = await knowledge('search', 'Porto warehouse gate code');
  assert.match(found.out, /9012/);
  assert.doesNotMatch(found.out, /4471/, 'the old version is gone');
});

test('unreadable, unsupported and missing files are reported and leave the store as it was', async () => {
  await knowledge('ingest', join(work, 'docs'));
  const before = (await knowledge('list')).out;
  const broken = join(work, 'broken.pdf');
  await writeFile(broken, 'this is not a PDF');
  const secret = join(work, 'secret.md');
  await writeFile(secret, '# Secret\n\nNobody may read this.');
  await chmod(secret, 0o000);
  await writeFile(join(work, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const binary = join(work, 'latin1.txt');
  await writeFile(binary, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  const { out, error } = await knowledge('ingest', broken, join(work, 'image.png'), binary, join(work, 'nowhere'), ...(process.getuid?.() === 0 ? [] : [secret]));
  assert.match(error?.message ?? '', /failed; the others were ingested/);
  assert.match(out, /failed .*broken\.pdf: broken\.pdf is not a readable PDF/);
  assert.match(out, /failed .*image\.png: unsupported file type ".png"/);
  assert.match(out, /failed .*latin1\.txt: latin1\.txt is not UTF-8 text/);
  assert.match(out, /failed .*nowhere: cannot read: ENOENT/);
  assert.equal((await knowledge('list')).out, before);
});

test('an embeddings server that fails leaves the previous version of a document searchable', async () => {
  await knowledge('ingest', join(work, 'docs'));
  await writeFile(join(work, 'docs', 'warehouse-notes.txt'), 'Warehouse notes\n\nThe Porto gate code is now 5555.\n');
  embeddings.setBehaviour({ httpStatus: 503 });
  try {
    const { out, error } = await knowledge('ingest', join(work, 'docs', 'warehouse-notes.txt'));
    assert.ok(error);
    assert.match(out, /failed .*warehouse-notes\.txt: the embeddings server answered HTTP 503/);
  } finally {
    embeddings.setBehaviour({});
  }
  const found = await knowledge('search', 'Porto warehouse gate code');
  assert.doesNotMatch(found.out, /5555/);
  assert.match(found.out, /warehouse-notes\.txt/);
});

test('remove forgets a file, or everything under a folder, and says when nothing matched', async () => {
  await knowledge('ingest', join(work, 'docs'));
  const one = await knowledge('remove', join(work, 'docs', 'store-hours.html'));
  assert.match(one.out, /removed .*store-hours\.html/);
  assert.doesNotMatch((await knowledge('list')).out, /store-hours/);
  const missing = await knowledge('remove', join(work, 'docs', 'store-hours.html'));
  assert.match(missing.error?.message ?? '', /matches no ingested document/);
  await knowledge('remove', join(work, 'docs'));
  assert.match((await knowledge('list')).out, /no documents \(embedded store\)/);
  assert.match((await knowledge('search', 'refund')).out, /no passages/);
});
