import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { http } from '../server-process.js';
import { ADMIN_PASSWORD, screenshot, signIn, STACK_TRACE, textOf, useBrowserUi } from './browser.js';

/**
 * Scripts in real Chromium against the real server: a script typed into the CodeMirror editor,
 * a syntax error marked at its line, the fixed script saved as version 2, then run with a JSON
 * context, which issues serials of a series and shows the result and the script's log line.
 */

const ui = useBrowserUi();

/** Replaces the editor's text by typing, as a person would (CodeMirror indents new lines itself). */
async function typeSource(page: Page, lines: readonly string[]): Promise<void> {
  const editor = page.getByRole('textbox', { name: 'Source', exact: true });
  // What was typed, whatever the editor indented on its own.
  const bare = (text: string) => text.replace(/\s+/g, '');
  for (let attempt = 1; ; attempt++) {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    for (const [index, line] of lines.entries()) {
      if (index > 0) await page.keyboard.press('Enter');
      await page.keyboard.type(line);
    }
    // A loaded machine now and then loses a keystroke between the browser and the editor; the
    // test is about what the editor does with the text, so the text is typed again.
    const held = await textOf(editor);
    if (bare(held) === bare(lines.join(''))) return;
    if (attempt === 3) throw new Error(`the editor holds ${JSON.stringify(held)} after typing ${JSON.stringify(lines)} three times`);
  }
}

const SOURCE = [
  'function main(context) {',
  "const serials = manufacturing.generateSerials('Bottles', context.quantity, { workOrder: context.workOrder });",
  "console.log('issued ' + serials.join(' ') + ' for ' + context.workOrder);",
  'return { serials };',
  '}',
];

describe('Scripts', () => {
  it('writes a script in the editor, saves it, runs it with a context and sees the result and its log', async () => {
    // A refused save (the syntax error) is a 4xx, which Chromium logs as a console error.
    ui.allowConsoleErrors(/status of 4\d\d/);
    const admin = await ui.adminHeaders();
    expect((await http(ui.url, 'POST', '/api/v1/series', { headers: admin, body: { name: 'Bottles', format: 'B{####}' } })).status).toBe(201);

    const page = await ui.openBrowser();
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scripts', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Scripts' }).waitFor();
    await page.getByText('No scripts yet').waitFor();

    await page.getByRole('button', { name: 'New script', exact: true }).click();
    const editor = page.getByRole('textbox', { name: 'Source', exact: true });
    await editor.waitFor();
    // The real CodeMirror editor, with line numbers, starting from the template.
    await page.locator('.cm-editor .cm-lineNumbers').waitFor();
    expect(await textOf(editor)).toContain('manufacturing.generateSerials');
    await page.getByLabel('Name', { exact: true }).fill('issue-bottles');
    await page.getByLabel('Description', { exact: true }).fill('Issues bottles for a work order');

    // A syntax error is refused and marked where it is.
    await typeSource(page, ['function main(context) {', 'return context.;', '}']);
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const mark = page.getByText(/^Line 2, column \d+:/);
    await mark.waitFor();
    await page.locator('.cm-lintRange-error').first().waitFor();
    await screenshot(page, 'scripts-1-syntax-error');

    await typeSource(page, SOURCE);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByText('Saved version 1', { exact: true })
      .waitFor()
      .catch(async (error: unknown) => {
        // Say what the page showed instead, and what the editor held.
        const alerts = await page.getByRole('alert').allTextContents();
        throw new Error(`no "Saved version 1": alerts ${JSON.stringify(alerts)}, source ${JSON.stringify(await textOf(editor))}`, { cause: error });
      });
    await mark.waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('script')).toBe('issue-bottles');
    await page.getByRole('list', { name: 'Scripts' }).getByRole('button', { name: 'issue-bottles', exact: true }).waitFor();
    await screenshot(page, 'scripts-2-saved');

    // Run with a context.
    const run = page.getByRole('region', { name: 'Run', exact: true });
    const context = run.getByLabel('Context (JSON)', { exact: true });
    await context.fill('{"quantity": 2, ');
    await run.getByRole('button', { name: 'Run', exact: true }).click();
    await run.getByText(/The context is not valid JSON/).waitFor();
    await context.fill('{"quantity": 2, "workOrder": "WO-77"}');
    await run.getByRole('button', { name: 'Run', exact: true }).click();
    await run.getByText('Succeeded', { exact: true }).waitFor();
    const result = await textOf(run.getByLabel('Result', { exact: true }));
    expect(JSON.parse(result)).toEqual({ serials: ['B0001', 'B0002'] });
    const logs = run.getByRole('list', { name: 'Logs' });
    expect(await textOf(logs)).toContain('issued B0001 B0002 for WO-77');
    expect(await textOf(run)).not.toMatch(STACK_TRACE);
    // The run is recorded, newest first.
    const runs = page.getByRole('region', { name: 'Script runs' });
    await runs.getByRole('row').nth(1).waitFor();
    expect(await textOf(runs.getByRole('row').nth(1))).toContain('succeeded');
    await screenshot(page, 'scripts-3-run');

    // The serials are real records of the work order.
    const records = await http(ui.url, 'GET', '/api/v1/records?workOrder=WO-77', { headers: admin });
    expect(JSON.stringify(records.json)).toContain('B0002');

    // An edit not yet saved: the page says the run would use version 1 and offers Save and run.
    await typeSource(page, [...SOURCE, '// checked']);
    await run.getByRole('button', { name: 'Save and run', exact: true }).waitFor();
    await run.getByRole('button', { name: 'Run version 1', exact: true }).waitFor();
    await run.getByRole('button', { name: 'Save and run', exact: true }).click();
    // Saving compiles the script in the sandbox and the run follows: under a loaded machine (the
    // whole suite on two cores) that has taken longer than the usual ten seconds.
    await page.getByText('Saved version 2', { exact: true }).waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await runs.getByRole('row').count()) - 1, { timeout: 30_000 }).toBe(2);
    await page.getByRole('list', { name: 'Script versions' }).getByRole('button', { name: 'Version 1', exact: true }).waitFor();
    await screenshot(page, 'scripts-4-versions');
  });
});
