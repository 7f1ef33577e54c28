// Gatehouse browser tests, issue 15 defect 9: docs/web.md describes the
// console and the portal that are served. Run by run.mjs
// (webDocChecks(t), t its helpers); not on its own.
//
// Every link of each top bar, as the listener serves it, is named in bold
// in docs/web.md (the screen it opens is described there), and every file
// under web/portal, web/console and web/shared is in its table of files.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function webDocChecks(t) {
  const doc = fs.readFileSync(path.join(root, 'docs', 'web.md'), 'utf8');

  await t.test('docs/web.md names every top-bar screen of portal and console', async () => {
    const missing = [];
    for (const [tag, base] of [['portal', t.PORTAL], ['console', t.CONSOLE]]) {
      const { page, ctx } = await t.newPage();
      await page.goto(`${base}/`);
      const names = await page.$$eval('#nav a', (as) => as.map((a) => a.textContent.trim()));
      t.assert(names.length >= 4, `${tag}: only ${names.length} navigation links`);
      for (const n of names) if (!doc.includes(`**${n}**`)) missing.push(`${tag}: ${n}`);
      await ctx.close();
    }
    t.assert(missing.length === 0, `not described in docs/web.md: ${missing.join(', ')}`);
  });

  await t.test('docs/web.md lists every file of web/', async () => {
    const missing = [];
    for (const dir of ['portal', 'console', 'shared']) {
      for (const f of fs.readdirSync(path.join(root, 'web', dir))) {
        if (!doc.includes(`\`${dir}/${f}\``)) missing.push(`${dir}/${f}`);
      }
    }
    t.assert(missing.length === 0, `not in the table of docs/web.md: ${missing.join(', ')}`);
  });
}
