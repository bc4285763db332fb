import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { http } from '../server-process.js';
import { ADMIN_PASSWORD, screenshot, setViewport, signIn, STACK_TRACE, textOf, useBrowserUi } from './browser.js';
import type { PageDocument, PageSelect } from './page-types.js';

// Page functions below run in the browser.
declare const document: PageDocument;

/**
 * The main flow in real Chromium against the real server: a series defined with the
 * token buttons and its preview, serials generated, one found in the records explorer, its
 * details, a status change confirmed, and the change in the audit trail with the chain intact.
 */

const ui = useBrowserUi();

/** Lists the texts of a list's items. */
const items = (list: Locator) => list.getByRole('listitem').allInnerTexts();

/** The value of the option of a select whose label or value is `status`, whatever its case. */
async function optionFor(select: Locator, status: string): Promise<string> {
  const value = await select.evaluate(
    (el, wanted) => Array.from((el as unknown as PageSelect).options).find((o) => o.value.toLowerCase() === wanted || o.label.trim().toLowerCase() === wanted)?.value,
    status.toLowerCase(),
  );
  if (value === undefined) throw new Error(`the select offers no "${status}": ${await select.innerText()}`);
  return value;
}

/** Whether the element has the keyboard focus. */
const focused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

/** Presses Tab until `target` has the focus; fails after `max` presses, so a control the keyboard cannot reach fails. */
async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await focused(target)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${String(target)} was not reached with ${max} presses of Tab`);
}

describe('the main flow', () => {
  it('adds a series with the token buttons, generates 10 serials, finds one, changes its status, and sees it in the audit trail', async () => {
    const page = await ui.openBrowser();
    await signIn(page, 'admin', ADMIN_PASSWORD);

    // Add a series, building its format from typed text and the token buttons.
    await page.getByRole('button', { name: 'Add series', exact: true }).click();
    const form = page.getByRole('dialog', { name: 'Add series' });
    await form.getByLabel('Name', { exact: true }).fill('Widgets');
    const format = form.getByLabel('Format', { exact: true });
    const tokens = form.getByRole('group', { name: 'Available tokens' });
    const token = (name: string) => tokens.getByRole('button', { name, exact: true });
    // Type "SN--", put the caret between the dashes, and insert the date there: a token goes
    // where the caret is, and the caret stays after it for the next one.
    await format.click();
    await format.pressSequentially('SN--');
    await format.press('ArrowLeft');
    await token('{YYYY}').click();
    await token('{JJJ}').click();
    expect(await format.inputValue()).toBe('SN-{YYYY}{JJJ}-');
    await format.press('End');
    await token('{####}').click();
    expect(await format.inputValue()).toBe('SN-{YYYY}{JJJ}-{####}');

    // The preview shows what the series would issue, rendered in the browser from the format.
    const preview = form.getByRole('list', { name: 'Next serials' });
    await expect.poll(() => items(preview)).not.toHaveLength(0);
    const previewed = await items(preview);
    const year = new Date().getUTCFullYear();
    for (const serial of previewed) expect(serial.trim()).toMatch(new RegExp(`^SN-${year}\\d{3}-\\d{4}$`));
    expect(previewed[0]!.trim()).toMatch(/-0001$/);
    await screenshot(page, 'flow-1-add-series-preview');

    await form.getByRole('button', { name: 'Create series', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Widgets', exact: true }).waitFor();

    // Generate 10 serials for a work order and a part number.
    await page.getByRole('button', { name: 'Generate serials for Widgets', exact: true }).click();
    const generate = page.getByRole('dialog', { name: 'Generate serials for Widgets' });
    await generate.getByLabel('Work order', { exact: true }).fill('WO-E2E-7');
    await generate.getByLabel('Part number', { exact: true }).fill('PN-4711');
    await generate.getByLabel('Quantity', { exact: true }).fill('10');
    await generate.getByRole('button', { name: 'Generate', exact: true }).click();
    const generated = generate.getByRole('list', { name: 'Generated serials' });
    await generated.waitFor();
    const serials = (await items(generated)).map((s) => s.trim());
    expect(serials).toHaveLength(10);
    expect(serials[0]).toBe(previewed[0]!.trim());
    for (const serial of serials) expect(serial).toMatch(new RegExp(`^SN-${year}\\d{3}-\\d{4}$`));
    expect(new Set(serials).size).toBe(10);
    await screenshot(page, 'flow-2-generated-serials');
    await generate.getByRole('button', { name: 'Done', exact: true }).click();
    await generate.waitFor({ state: 'detached' });

    // Find one of them in the records explorer.
    const serial = serials[4]!;
    await page.getByLabel('Search records', { exact: true }).fill(serial);
    const table = page.getByRole('table', { name: 'Records' });
    const row = table.getByRole('row').filter({ hasText: serial });
    await row.waitFor();
    await expect.poll(() => table.getByRole('row').filter({ hasText: serials[0]! }).count()).toBe(0);
    expect(await textOf(row)).toContain('WO-E2E-7');
    await screenshot(page, 'flow-3-records-explorer');

    // Its details: work order, part number and history.
    await page.getByRole('button', { name: `Details of ${serial}`, exact: true }).click();
    const details = page.getByRole('dialog', { name: `Record ${serial}` });
    await details.getByText('WO-E2E-7').first().waitFor();
    const detailText = await textOf(details);
    expect(detailText).toContain('PN-4711');
    expect(detailText).toMatch(/generated/i);
    expect(detailText).toMatch(/history/i);
    await screenshot(page, 'flow-4-record-details');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });

    // Change its status to printed, confirming with a reason.
    const status = page.getByRole('combobox', { name: `Status of ${serial}`, exact: true });
    await status.selectOption(await optionFor(status, 'printed'));
    const confirm = page.getByRole('dialog', { name: `Change status of ${serial}` });
    await confirm.getByLabel('Reason', { exact: true }).fill('label printed on line 3');
    await confirm.getByRole('button', { name: 'Change status', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    const printed = await optionFor(status, 'printed');
    await expect.poll(() => status.inputValue().catch(() => '')).toBe(printed);
    await page.getByRole('button', { name: `Details of ${serial}`, exact: true }).click();
    await details.getByText('label printed on line 3').first().waitFor();
    expect(await textOf(details)).toMatch(/printed/i);
    await screenshot(page, 'flow-5-status-changed');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });

    // The change in the audit trail, and the chain verified.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    const entry = page
      .getByRole('row')
      .or(page.getByRole('listitem'))
      .filter({ hasText: serial })
      .filter({ hasText: /record\.status_changed|record status changed/i });
    await entry.first().waitFor();
    await page.getByRole('button', { name: 'Verify chain', exact: true }).click();
    const verdict = page.getByRole('status').filter({ hasText: /intact/i });
    await verdict.waitFor();
    expect(await textOf(verdict)).not.toMatch(/not intact|broken/i);
    await screenshot(page, 'flow-6-audit');

    // The same screens at tablet width.
    await setViewport(page, 'tablet');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Traceability', exact: true }).click();
    await page.getByRole('table', { name: 'Records' }).getByRole('row').filter({ hasText: serial }).first().waitFor();
    await page.getByRole('button', { name: 'Generate serials for Widgets', exact: true }).waitFor();
    await screenshot(page, 'flow-7-tablet');
  });
});

describe('a format with a mistake', () => {
  it('names the position of a bad token and creates nothing', async () => {
    const page = await ui.openBrowser();
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Add series', exact: true }).click();
    const form = page.getByRole('dialog', { name: 'Add series' });
    await form.getByLabel('Name', { exact: true }).fill('Broken');
    const format = form.getByLabel('Format', { exact: true });
    await format.fill('SN-{YYY}-{####}');
    // The message is tied to the input (aria-describedby) and names where the bad token starts.
    await expect.poll(() => format.getAttribute('aria-invalid')).toBe('true');
    const described = await format.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(/\s+/)
        .map((id: string) => document.getElementById(id)?.textContent ?? '')
        .join('\n'),
    );
    expect(described).toMatch(/\{YYY\}/);
    // Counted from 0 as the API reports it, or from 1 as a person counts.
    expect(described).toMatch(/(?:position|character|column)\s*[34]\b/i);
    expect(described).not.toMatch(STACK_TRACE);
    await screenshot(page, 'format-invalid');

    const create = form.getByRole('button', { name: 'Create series', exact: true });
    if (await create.isEnabled()) {
      await create.click();
      // Still open, still refusing.
      await form.getByRole('alert').or(form.getByText(/\{YYY\}/)).first().waitFor();
      expect(await form.isVisible()).toBe(true);
    }
    const listed = await http(ui.url, 'GET', '/api/v1/series', { headers: await ui.adminHeaders() });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).not.toContain('Broken');
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    expect(await page.getByRole('button', { name: 'Broken', exact: true }).count()).toBe(0);
  });
});

describe('with the keyboard only', () => {
  it('adds a series with Tab, typing and Enter, and Escape closes a dialog', async () => {
    const page = await ui.openBrowser();
    await signIn(page, 'admin', ADMIN_PASSWORD);
    const add = page.getByRole('button', { name: 'Add series', exact: true });
    await add.waitFor();
    await tabTo(page, add);
    await page.keyboard.press('Enter');
    const form = page.getByRole('dialog', { name: 'Add series' });
    await form.waitFor();

    // Escape closes it and gives the focus back to the page.
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    await tabTo(page, add);
    await page.keyboard.press('Space');
    await form.waitFor();

    await tabTo(page, form.getByLabel('Name', { exact: true }));
    await page.keyboard.type('Keyboard lots');
    const format = form.getByLabel('Format', { exact: true });
    await tabTo(page, format);
    await page.keyboard.type('KB-');
    // A token button from the keyboard: Tab to it, Space presses it.
    await tabTo(page, form.getByRole('group', { name: 'Available tokens' }).getByRole('button', { name: '{####}', exact: true }));
    await page.keyboard.press('Space');
    await expect.poll(() => format.inputValue()).toBe('KB-{####}');
    await tabTo(page, form.getByRole('button', { name: 'Create series', exact: true }), 120);
    await screenshot(page, 'keyboard-add-series');
    await page.keyboard.press('Enter');
    await form.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Keyboard lots', exact: true }).waitFor();
  });
});
