import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/app';
import { CodeEditorContext, offsetOf, PlainCodeEditor } from '../src/scripts/code-editor';
import { ScriptsPage } from '../src/scripts/scripts-page';
import type { ScriptRun } from '../src/scripts/script-words';
import { STARTER_SCRIPT } from '../src/scripts/script-words';
import { installDomShims, json, makeSession, renderSignedIn, stubFetch, type Call } from './records-fixtures';

/**
 * The Scripts page against a stubbed API. CodeMirror needs a real layout, so the editor here is
 * the plain textarea behind the same interface; the browser test types into CodeMirror itself.
 */

beforeAll(installDomShims);
beforeEach(() => window.history.replaceState(null, '', '/scripts'));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const SOURCE = "function main(context) {\n  console.log('hi');\n  return context;\n}\n";

const summary = (name: string, version = 2) => ({
  name,
  description: `About ${name}`,
  version,
  createdAt: '2025-06-14T08:00:00.000Z',
  createdBy: 'user:jane',
  updatedAt: '2025-06-15T08:00:00.000Z',
  updatedBy: 'user:jane',
});

const details = (name: string, version = 2, source = SOURCE) => ({ ...summary(name, version), source });

function run(id: number, overrides: Partial<ScriptRun> = {}): ScriptRun {
  return {
    id,
    script: 'alpha',
    version: 2,
    actor: 'user:olga',
    station: 'ST-4',
    context: { qty: id },
    status: 'succeeded',
    result: { ok: id },
    error: null,
    logs: [{ level: 'log', message: `run ${id} log`, at: 3 }],
    apiCalls: 4,
    durationMs: 12,
    startedAt: '2025-06-15T08:30:00.000Z',
    ...overrides,
  };
}

function scriptProblem(code: string, detail: string, extra: Record<string, unknown>, status = 422): Response {
  return json({ type: `urn:serialtrace:error:${code}`, title: code, status, detail, code, ...extra }, status);
}

type Answer = (call: Call) => Response | undefined;

/** The API of a company with scripts alpha and beta; `answer` comes first for what a test changes. */
function stubScripts(answer: Answer = () => undefined, runs: () => Response = () => json({ runs: [], nextCursor: null })) {
  return stubFetch((call) => {
    const own = answer(call);
    if (own !== undefined) return own;
    const path = call.url.pathname;
    if (path === '/api/v1/scripts') return json({ scripts: [summary('beta', 1), summary('alpha')] });
    if (path === '/api/v1/scripts/alpha' && call.method === 'GET') return json(details('alpha'));
    if (path === '/api/v1/scripts/alpha/versions')
      return json({
        versions: [
          { version: 1, source: 'function main() { return 1; }\n', description: 'First', changedAt: '2025-06-14T08:00:00.000Z', changedBy: 'user:jane', reason: null },
          { version: 2, source: SOURCE, description: 'About alpha', changedAt: '2025-06-15T08:00:00.000Z', changedBy: 'user:jane', reason: 'tidy' },
        ],
      });
    if (path === '/api/v1/scripts/alpha/runs' && call.method === 'GET') return runs();
    return json({ code: 'ROUTE_NOT_FOUND', detail: `unexpected ${call.method} ${path}` }, 404);
  });
}

function renderPage(ui: ReactNode = <ScriptsPage />, role = 'admin') {
  return renderSignedIn(<CodeEditorContext.Provider value={PlainCodeEditor}>{ui}</CodeEditorContext.Provider>, makeSession(role));
}

const source = () => screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Source' });

async function openAlpha(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: 'alpha' }));
  await waitFor(() => expect(source().value).toBe(SOURCE));
}

describe('ScriptsPage', () => {
  it('lists the scripts with version and update, and opens one in the editor with its metadata', async () => {
    const { calls } = stubScripts();
    const user = userEvent.setup();
    renderPage();
    const list = await screen.findByRole('list', { name: 'Scripts' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((item) => within(item).getByRole('button').textContent)).toEqual(['alpha', 'beta']);
    expect(items[0]!.textContent).toContain('v2 · updated');
    expect(items[0]!.textContent).toContain('user:jane');
    await openAlpha(user);
    expect(new URLSearchParams(window.location.search).get('script')).toBe('alpha');
    expect(screen.getByRole('heading', { level: 2, name: 'alpha' })).toBeTruthy();
    expect(screen.getByText(/version 2 · saved by user:jane/)).toBeTruthy();
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'Description' }).value).toBe('About alpha');
    expect(screen.queryByText('Unsaved changes')).toBeNull();
    expect(calls.some((c) => c.url.pathname === '/api/v1/scripts/alpha')).toBe(true);
    // Versions, newest first, with who and when.
    const versions = await screen.findByRole('list', { name: 'Script versions' });
    expect(within(versions).getAllByRole('listitem').map((li) => within(li).getByRole('button').textContent)).toEqual(['Version 2', 'Version 1']);
    expect(await screen.findByText('This script has not run yet.')).toBeTruthy();
  });

  it('saves the editor text and description, and says which version it became', async () => {
    const { calls } = stubScripts((call) => (call.method === 'PUT' ? json(details('alpha', 3, (call.body as { source: string }).source)) : undefined));
    const user = userEvent.setup();
    renderPage();
    await openAlpha(user);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Save' }).disabled).toBe(true);
    await user.type(source(), '// more');
    await user.clear(screen.getByRole('textbox', { name: 'Description' }));
    await user.type(screen.getByRole('textbox', { name: 'Description' }), 'New words');
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved version 3')).toBeTruthy();
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.url.pathname).toBe('/api/v1/scripts/alpha');
    expect(put.body).toEqual({ source: `${SOURCE}// more`, description: 'New words' });
    expect(screen.queryByText('Unsaved changes')).toBeNull();
    expect(screen.getByText(/version 3 · saved by/)).toBeTruthy();
  });

  it('marks the line and column of a SCRIPT_INVALID refusal and moves the cursor there', async () => {
    stubScripts((call) =>
      call.method === 'PUT'
        ? scriptProblem('SCRIPT_INVALID', 'Script "alpha" cannot be used: expecting \')\'', { script: 'alpha', reason: "expecting ')'", line: 2, column: 14 })
        : undefined,
    );
    const user = userEvent.setup();
    renderPage();
    await openAlpha(user);
    await user.type(source(), 'x');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByText(/Line 2, column 14/);
    expect(alert.textContent).toBe("Line 2, column 14: expecting ')'");
    expect(source().getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(source());
    expect(source().selectionStart).toBe(offsetOf(source().value, 2, 14));
    expect(source().selectionStart).toBe(SOURCE.indexOf('\n') + 1 + 13);
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
  });

  it('runs the saved version with a JSON context and shows the result and the logs', async () => {
    const { calls } = stubScripts((call) =>
      call.method === 'POST'
        ? json({
            result: { serials: ['SN-1', 'SN-2'] },
            logs: [
              { level: 'log', message: 'Generated 2', at: 4 },
              { level: 'warn', message: 'low stock', at: 9 },
            ],
          })
        : undefined,
    );
    const user = userEvent.setup();
    renderPage();
    await openAlpha(user);
    const context = screen.getByRole('textbox', { name: 'Context (JSON)' });
    await user.clear(context);
    await user.click(context);
    await user.paste('{"quantity": 2, ');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByText(/The context is not valid JSON/)).toBeTruthy();
    expect(context.getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.clear(context);
    await user.click(context);
    await user.paste('{"quantity": 2, "workOrder": "WO-1"}');
    expect(screen.queryByText(/The context is not valid JSON/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByText('Succeeded')).toBeTruthy();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url.pathname).toBe('/api/v1/scripts/alpha/runs');
    expect(post.body).toEqual({ context: { quantity: 2, workOrder: 'WO-1' } });
    const panel = screen.getByRole('region', { name: 'Run' });
    expect(within(panel).getByLabelText('Result').textContent).toBe(JSON.stringify({ serials: ['SN-1', 'SN-2'] }, null, 2));
    const logs = within(panel).getByRole('list', { name: 'Logs' });
    const lines = within(logs).getAllByRole('listitem');
    expect(lines.map((li) => li.textContent)).toEqual(['4 mslogGenerated 2', '9 mswarnlow stock']);
    expect(lines[1]!.className).toContain('script-log-warn');
    // The runs list is read again after the run.
    await waitFor(() => expect(calls.filter((c) => c.url.pathname === '/api/v1/scripts/alpha/runs' && c.method === 'GET')).toHaveLength(2));
  });

  it('shows a failed run: its code, message, run number and the lines logged before it failed', async () => {
    stubScripts((call) =>
      call.method === 'POST'
        ? scriptProblem('SCRIPT_FAILED', 'Script "alpha" failed: printer jammed', {
            script: 'alpha',
            reason: 'printer jammed',
            runId: 41,
            logs: [{ level: 'error', message: 'about to fail', at: 7 }],
          })
        : call.url.pathname === '/api/v1/script-runs/41'
          ? json(run(41, { status: 'failed', durationMs: 25, apiCalls: 3, error: { code: 'SCRIPT_FAILED', message: 'printer jammed' } }))
          : undefined,
    );
    const user = userEvent.setup();
    renderPage();
    await openAlpha(user);
    await user.click(screen.getByRole('button', { name: 'Run' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Failed: SCRIPT_FAILED · run #41');
    expect(alert.textContent).toContain('Script "alpha" failed: printer jammed');
    expect(alert.textContent).toContain('undone');
    const logs = within(screen.getByRole('region', { name: 'Run' })).getByRole('list', { name: 'Logs' });
    expect(logs.textContent).toContain('about to fail');
    expect(within(logs).getByRole('listitem').className).toContain('script-log-error');
    // The recorded run is read back for its duration on the server and its API calls.
    await waitFor(() => expect(alert.textContent).toContain('run #41 · 25 ms · 3 API calls'));
  });

  it('says a run uses the saved version and offers Save and run when the editor has changes', async () => {
    const { calls } = stubScripts((call) => {
      if (call.method === 'PUT') return json(details('alpha', 3, (call.body as { source: string }).source));
      if (call.method === 'POST') return json({ result: 1, logs: [] });
      return undefined;
    });
    const user = userEvent.setup();
    renderPage();
    await openAlpha(user);
    expect(screen.getByText(/A run uses the saved version \(version 2\)/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save and run' })).toBeNull();
    await user.type(source(), '//x');
    expect(screen.getByText(/unsaved changes, which this run would not include/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Run version 2' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Save and run' }));
    expect(await screen.findByText('Succeeded')).toBeTruthy();
    const methods = calls.filter((c) => c.method !== 'GET').map((c) => c.method);
    expect(methods).toEqual(['PUT', 'POST']);
    expect(screen.getByText('Saved version 3')).toBeTruthy();
  });

  it('lists the runs newest first, loads more, and opens one with its context, error and logs', async () => {
    let page = 0;
    const { calls } = stubScripts(undefined, () => {
      page += 1;
      return page === 1
        ? json({ runs: [run(9), run(8, { status: 'failed', result: null, error: { code: 'SCRIPT_TIMEOUT', message: 'ran too long' }, logs: [{ level: 'info', message: 'started', at: 0 }] })], nextCursor: 'c2' })
        : json({ runs: [run(7)], nextCursor: null });
    });
    const user = userEvent.setup();
    renderPage();
    await openAlpha(user);
    const region = await screen.findByRole('region', { name: 'Script runs' });
    const rows = () => within(region).getAllByRole('row').slice(1);
    expect(rows().map((row) => within(row).getAllByRole('cell')[0]!.textContent)).toEqual(['#9', '#8']);
    const failed = within(rows()[1]!).getAllByRole('cell').map((cell) => cell.textContent);
    expect(failed).toEqual(['#8', 'failed', expect.any(String), 'user:olga · ST-4', 'v2', '12 ms', '4', 'SCRIPT_TIMEOUT']);
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(calls.filter((c) => c.url.pathname.endsWith('/runs')).at(-1)!.url.searchParams.get('cursor')).toBe('c2');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Details of run #8' }));
    const dialog = await screen.findByRole('dialog', { name: 'Run #8' });
    expect(within(dialog).getByLabelText('Context').textContent).toBe(JSON.stringify({ qty: 8 }, null, 2));
    expect(dialog.textContent).toContain('SCRIPT_TIMEOUT ran too long');
    expect(within(dialog).getByRole('list', { name: 'Logs' }).textContent).toContain('started');
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows an old version read-only and restores it into the editor', async () => {
    stubScripts();
    const user = userEvent.setup();
    renderPage();
    await openAlpha(user);
    await user.click(await screen.findByRole('button', { name: 'Version 1' }));
    const dialog = await screen.findByRole('dialog', { name: 'alpha, version 1' });
    const old = within(dialog).getByRole<HTMLTextAreaElement>('textbox', { name: 'Source of version 1' });
    expect(old.value).toBe('function main() { return 1; }\n');
    expect(old.readOnly).toBe(true);
    await user.click(within(dialog).getByRole('button', { name: 'Restore into editor' }));
    expect(source().value).toBe('function main() { return 1; }\n');
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'Description' }).value).toBe('First');
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
  });

  it('starts a new script from the template and saves it under its name', async () => {
    const { calls } = stubScripts((call) =>
      call.method === 'PUT' && call.url.pathname === '/api/v1/scripts/label-run'
        ? json({ ...details('label-run', 1, (call.body as { source: string }).source), description: '' })
        : call.url.pathname.startsWith('/api/v1/scripts/label-run')
          ? call.url.pathname.endsWith('/runs')
            ? json({ runs: [], nextCursor: null })
            : call.url.pathname.endsWith('/versions')
              ? json({ versions: [] })
              : json({ ...details('label-run', 1, STARTER_SCRIPT), description: '' })
          : undefined,
    );
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'New script' }));
    expect(screen.getByRole('heading', { level: 2, name: 'New script' })).toBeTruthy();
    expect(source().value).toBe(STARTER_SCRIPT);
    expect(STARTER_SCRIPT).toContain('manufacturing.generateSerials');
    expect(STARTER_SCRIPT).toContain('console.log');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Give the script a name.')).toBeTruthy();
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'label-run');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved version 1')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ source: STARTER_SCRIPT, description: '' });
    expect(new URLSearchParams(window.location.search).get('script')).toBe('label-run');
    // The editor stays as it was, now with the run panel of the saved script.
    expect(await screen.findByRole('region', { name: 'Run' })).toBeTruthy();
    expect(screen.getByText('Saved version 1')).toBeTruthy();
  });

  it('gives an auditor the scripts to read, with no New script, Save or Run', async () => {
    stubScripts();
    const user = userEvent.setup();
    renderPage(<ScriptsPage />, 'auditor');
    await openAlpha(user);
    expect(screen.queryByRole('button', { name: 'New script' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Run' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Run' })).toBeNull();
    expect(source().readOnly).toBe(true);
    expect(await screen.findByRole('region', { name: 'Runs' })).toBeTruthy();
  });

  it('lets an operator run a script but not change it', async () => {
    stubScripts();
    const user = userEvent.setup();
    renderPage(<ScriptsPage />, 'operator');
    await openAlpha(user);
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(source().readOnly).toBe(true);
    expect(screen.getByRole('button', { name: 'Run' })).toBeTruthy();
  });
});

describe('Scripts in the navigation', () => {
  const signedInAs = (role: string) =>
    stubFetch(({ url }) => {
      if (url.pathname === '/api/v1/auth/me') return json({ kind: 'user', id: '1', name: 'Pat', role, companyId: 1, company: 'Acme', systemAdmin: false, actor: 'user:pat', mustChangePassword: false });
      if (url.pathname === '/api/v1/info') return json({ version: 'test', now: '2025-06-15T09:00:00.000Z', timeZone: 'UTC' });
      if (url.pathname === '/api/v1/scripts') return json({ scripts: [summary('alpha')] });
      return json({ code: 'ROUTE_NOT_FOUND', detail: 'not in this test' }, 404);
    });

  it('shows Scripts to an auditor and opens the page', async () => {
    signedInAs('auditor');
    render(
      <CodeEditorContext.Provider value={PlainCodeEditor}>
        <App />
      </CodeEditorContext.Provider>,
    );
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    const link = within(nav).getByRole('link', { name: 'Scripts' });
    expect(link.getAttribute('aria-current')).toBe('page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Scripts' })).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'alpha' })).toBeTruthy();
    expect(document.title).toBe('Scripts · serialtrace');
  });

  it('hides Scripts from a viewer, and the address says it is not allowed', async () => {
    signedInAs('viewer');
    render(<App />);
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Scripts' })).toBeNull();
    expect(screen.getByRole('heading', { level: 1, name: 'Not allowed' })).toBeTruthy();
  });
});
