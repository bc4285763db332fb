import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { http } from '../server-process.js';
import { ADMIN_PASSWORD, addUser, screenshot, signIn, STACK_TRACE, textOf, useBrowserUi } from './browser.js';
import type { PageDocument } from './page-types.js';

// Page functions below run in the browser.
declare const document: PageDocument;

/** Signing in and out in real Chromium against the real server: errors in words, roles, ended sessions, the keyboard. */

const ui = useBrowserUi();

const mainNavigation = (page: Page) => page.getByRole('navigation', { name: 'Main' });

describe('signing in', () => {
  it('refuses a wrong password in words, then signs in, shows who and what role, and signs out', async () => {
    // The refused login's 401 is logged by the browser as a failed resource; it is the point of the test.
    ui.allowConsoleErrors(/status of 401/);
    const page = await ui.openBrowser();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username', { exact: true }).fill('admin');
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const words = await textOf(alert);
    expect(words).toMatch(/wrong password|not signed in/i);
    expect(words).not.toMatch(STACK_TRACE);
    expect(await mainNavigation(page).count()).toBe(0);
    await screenshot(page, 'sign-in-refused');

    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await mainNavigation(page).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    // The top bar names the user and the role.
    const topBar = await textOf(page.getByRole('banner'));
    expect(topBar).toMatch(/\badmin\b[\s\S]*\badmin\b/);
    await mainNavigation(page).getByRole('link', { name: 'Audit' }).waitFor();
    await screenshot(page, 'signed-in-admin');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await mainNavigation(page).count()).toBe(0);
    // Signed out on the server too: a reload does not bring the session back.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await mainNavigation(page).count()).toBe(0);
    ui.allowConsoleErrors(/status of 401/);
    await screenshot(page, 'signed-out');
  });

  it('offers a viewer neither adding a series, nor generating, nor the audit trail', async () => {
    const admin = await ui.adminHeaders();
    expect((await http(ui.url, 'POST', '/api/v1/series', { headers: admin, body: { name: 'Viewer sees', format: 'VS-{####}' } })).status).toBe(201);
    await addUser(ui, 'vera', 'viewer', 'vera-viewer-password');

    const page = await ui.openBrowser();
    await signIn(page, 'vera', 'vera-viewer-password');
    expect(await textOf(page.getByRole('banner'))).toMatch(/\bvera\b[\s\S]*\bviewer\b/);
    // Wait until the series list has loaded, so the absent controls are absent for the role and
    // not because nothing is drawn yet.
    await page.getByRole('button', { name: 'Viewer sees', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Add series' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Generate serials for/ }).count()).toBe(0);
    expect(await mainNavigation(page).getByRole('link', { name: 'Audit' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await screenshot(page, 'signed-in-viewer');
  });
});

describe('with a password an admin set', () => {
  it('asks for a new password before anything else, also after a reload, then opens the app', async () => {
    // The weak password's refusal (422) is logged by the browser as a failed resource; it is part of the test.
    ui.allowConsoleErrors(/status of 422/);
    const created = await http(ui.url, 'POST', '/api/v1/users', { headers: await ui.adminHeaders(), body: { username: 'nina', password: 'given-by-the-admin-1', role: 'operator' } });
    expect(created.status).toBe(201);
    const page = await ui.openBrowser();
    await page.getByLabel('Username', { exact: true }).fill('nina');
    await page.getByLabel('Password', { exact: true }).fill('given-by-the-admin-1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose a new password' });
    await dialog.waitFor();
    expect(await mainNavigation(page).count()).toBe(0);
    await page.reload();
    await dialog.waitFor();
    await screenshot(page, 'must-change-password');
    await dialog.getByLabel('Current password').fill('given-by-the-admin-1');
    await dialog.getByLabel('New password', { exact: true }).fill('password12345');
    await dialog.getByLabel('New password again').fill('password12345');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    // A weak password is refused in words, and the dialog stays.
    await dialog.getByRole('alert').filter({ hasText: /common/i }).waitFor();
    await dialog.getByLabel('New password', { exact: true }).fill('nina-picks-her-own-1');
    await dialog.getByLabel('New password again').fill('nina-picks-her-own-1');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await mainNavigation(page).waitFor();
    expect(await textOf(page.getByRole('banner'))).toMatch(/\bnina\b[\s\S]*\boperator\b/);
  });
});

describe('when the session or the server goes away', () => {
  it('says the session has ended when it was signed out elsewhere, and asks to sign in again', async () => {
    ui.allowConsoleErrors(/status of 401/);
    const page = await ui.openBrowser();
    await signIn(page, 'admin', ADMIN_PASSWORD);
    // The same session ends from another client (another tab signing out, an admin, expiry).
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await http(ui.url, 'POST', '/api/v1/auth/logout', { headers: { cookie } })).status).toBe(204);

    await mainNavigation(page).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('status').filter({ hasText: /session has ended/i }).waitFor();
    expect(await textOf(page.locator('body'))).not.toMatch(STACK_TRACE);
    await screenshot(page, 'session-ended');
  });

  it('says the server cannot be reached when it stops, never a stack', async () => {
    ui.allowConsoleErrors(/ERR_CONNECTION_REFUSED|Failed to fetch|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET/);
    const other = await ui.startAnotherServer();
    const page = await ui.openBrowser({ url: other.url });
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await other.stop();

    await mainNavigation(page).getByRole('link', { name: 'Audit' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /cannot be reached/i });
    await alert.waitFor();
    expect(await textOf(alert)).not.toMatch(STACK_TRACE);
    expect(await textOf(page.locator('body'))).not.toMatch(STACK_TRACE);
    await screenshot(page, 'server-unreachable');
  });
});

describe('with the keyboard only', () => {
  it('signs in with Tab and Enter', async () => {
    const page = await ui.openBrowser();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The username has the focus when the page opens.
    expect(await page.getByLabel('Username', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('admin');
    await page.keyboard.press('Tab');
    expect(await page.getByLabel('Password', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await mainNavigation(page).waitFor();
    await screenshot(page, 'keyboard-signed-in');
  });
});
