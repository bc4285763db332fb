import { readFileSync } from 'node:fs';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, screenshot, signIn, textOf, useBrowserUi } from './browser.js';

/**
 * GS1 in real Chromium against the real server: a series bound to a GTIN, serials generated with
 * a lot, one found by its lot, its GS1 notations in the details, and its label printed as a PNG
 * download, which moves the record to printed and counts the print.
 */

const ui = useBrowserUi();

const items = (list: Locator) => list.getByRole('listitem').allInnerTexts();

describe('GS1 series and labels', () => {
  it('creates a GTIN series, generates with a lot, prints a label and sees the record printed', async () => {
    const page = await ui.openBrowser();
    await signIn(page, 'admin', ADMIN_PASSWORD);

    await page.getByRole('button', { name: 'Add series', exact: true }).click();
    const form = page.getByRole('dialog', { name: 'Add series' });
    await form.getByLabel('Name', { exact: true }).fill('Vials');
    await form.getByLabel('Format', { exact: true }).fill('V{######}');
    await form.getByLabel('GS1 identity', { exact: true }).selectOption('gtin');
    await form.getByLabel('GTIN', { exact: true }).fill('09520123456788');
    await form.getByLabel('Company prefix', { exact: true }).fill('952012');
    const preview = form.getByRole('list', { name: 'Next serials' });
    await expect.poll(() => items(preview)).not.toHaveLength(0);
    expect((await items(preview))[0]!.trim()).toBe('V000001');
    await screenshot(page, 'gs1-1-add-gtin-series');
    await form.getByRole('button', { name: 'Create series', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    const item = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: 'Vials', exact: true }) });
    await item.getByText('GTIN 09520123456788').waitFor();

    await page.getByRole('button', { name: 'Generate serials for Vials', exact: true }).click();
    const generate = page.getByRole('dialog', { name: 'Generate serials for Vials' });
    await generate.getByLabel('Lot', { exact: true }).fill('L2025-06');
    await generate.getByLabel('Expiry', { exact: true }).fill('2027-06-30');
    await generate.getByLabel('Quantity', { exact: true }).fill('3');
    await generate.getByRole('button', { name: 'Generate', exact: true }).click();
    const generated = generate.getByRole('list', { name: 'Generated serials' });
    await generated.waitFor();
    const serials = (await items(generated)).map((s) => s.trim());
    expect(serials).toEqual(['V000001', 'V000002', 'V000003']);
    await generate.getByRole('button', { name: 'Done', exact: true }).click();
    await generate.waitFor({ state: 'detached' });

    // Found by its lot, which the address keeps.
    await page.getByRole('textbox', { name: 'Lot', exact: true }).fill('L2025-06');
    await expect.poll(() => new URL(page.url()).searchParams.get('lot')).toBe('L2025-06');
    const table = page.getByRole('table', { name: 'Records' });
    const row = table.getByRole('row').filter({ hasText: 'V000002' });
    await row.waitFor();
    expect(await textOf(row)).toContain('L2025-06');
    await screenshot(page, 'gs1-2-records-by-lot');

    await page.getByRole('button', { name: 'Details of V000002', exact: true }).click();
    const details = page.getByRole('dialog', { name: 'Record V000002' });
    await details.getByRole('heading', { name: 'GS1', exact: true }).waitFor();
    const text = await textOf(details);
    expect(text).toContain('(01)09520123456788(17)270630(10)L2025-06(21)V000002');
    expect(text).toContain('⟨GS⟩');
    expect(text).toContain('urn:epc:id:sgtin:');
    expect(await details.getByRole('link', { name: /09520123456788/ }).getAttribute('href')).toBe('https://id.gs1.org/01/09520123456788/10/L2025-06/21/V000002?17=270630');

    // Print: a PNG download, the print counted, the record printed.
    await details.getByLabel('Label format', { exact: true }).selectOption('png');
    const [download] = await Promise.all([page.waitForEvent('download'), details.getByRole('button', { name: 'Print label', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe('V000002-label.png');
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    await details.getByText('Print #1 recorded.', { exact: true }).waitFor();
    await details.getByRole('region', { name: 'Label prints' }).waitFor();
    await expect.poll(async () => textOf(details)).toMatch(/Label prints:\s*1/);
    await details.locator('.record-fields .status-printed').waitFor();
    await screenshot(page, 'gs1-3-label-printed');

    // The preview renders the label without recording a print.
    await details.getByRole('button', { name: 'Preview', exact: true }).click();
    await details.getByRole('img', { name: 'Label of V000002' }).waitFor();
    expect(await details.getByRole('img', { name: 'Label of V000002' }).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, 'gs1-4-label-preview');
    await details.getByRole('button', { name: 'Close preview', exact: true }).click();
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
    // The row in the explorer shows the new status too.
    await expect.poll(() => table.getByRole('combobox', { name: 'Status of V000002', exact: true }).inputValue()).toBe('printed');
  });
});
