import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RESET_RULE_DESCRIPTIONS, RESET_RULES, TOKEN_DESCRIPTIONS } from '@serialtrace/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SeriesFormDialog } from '../src/series/series-form-dialog';
import { installDialogPolyfill, json, renderWithSession, testSession } from './series-support';

beforeAll(installDialogPolyfill);
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function openAddForm() {
  const onSaved = vi.fn();
  const onClose = vi.fn();
  renderWithSession(<SeriesFormDialog onClose={onClose} onSaved={onSaved} />);
  return { onSaved, onClose, format: screen.getByLabelText<HTMLInputElement>('Format') };
}

describe('series form: token buttons', () => {
  it('offers every token of core, each named by its text and described by its title', () => {
    openAddForm();
    const group = screen.getByRole('group', { name: 'Available tokens' });
    for (const name of Object.keys(TOKEN_DESCRIPTIONS)) {
      const button = within(group).getByRole('button', { name: `{${name}}` });
      expect(button.getAttribute('title')).toBe(TOKEN_DESCRIPTIONS[name as keyof typeof TOKEN_DESCRIPTIONS]);
    }
  });

  it('inserts a token at the caret, replaces a selection, and leaves the caret after it in the input', async () => {
    const user = userEvent.setup();
    const { format } = openAddForm();
    await user.click(format);
    await user.paste('SN--X');
    format.setSelectionRange(3, 3);
    await user.click(screen.getByRole('button', { name: '{YYYY}' }));
    expect(format.value).toBe('SN-{YYYY}-X');
    expect(document.activeElement).toBe(format);
    expect([format.selectionStart, format.selectionEnd]).toEqual([9, 9]);

    // Typing goes on at the caret.
    await user.keyboard('7');
    expect(format.value).toBe('SN-{YYYY}7-X');

    // A selection is replaced by the token.
    format.setSelectionRange(3, 10);
    await user.click(screen.getByRole('button', { name: '{JJJ}' }));
    expect(format.value).toBe('SN-{JJJ}-X');
    expect([format.selectionStart, format.selectionEnd]).toEqual([8, 8]);
  });

  it('works from the keyboard: Enter on a token button inserts it where the caret was', async () => {
    const user = userEvent.setup();
    const { format } = openAddForm();
    await user.click(format);
    await user.paste('A-');
    const button = screen.getByRole('button', { name: '{####}' });
    act(() => button.focus());
    await user.keyboard('{Enter}');
    expect(format.value).toBe('A-{####}');
    expect(document.activeElement).toBe(format);
    expect(format.selectionStart).toBe(8);
  });
});

describe('series form: problems at their position', () => {
  it('marks an unknown token in a copy of the format, with the message, tied to the Format input', async () => {
    const user = userEvent.setup();
    const { format } = openAddForm();
    await user.click(format);
    await user.paste('SN-{YYY}-{####}');
    await waitFor(() => expect(format.getAttribute('aria-invalid')).toBe('true'));
    const described = (format.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id));
    const error = described.find((el) => el?.querySelector('mark') !== null && el?.querySelector('mark') !== undefined && el?.className.includes('field-error'));
    expect(error).toBeDefined();
    const mark = error!.querySelector('mark')!;
    expect(mark.textContent).toBe('{YYY}');
    expect(mark.parentElement!.textContent).toBe('SN-{YYY}-{####}');
    expect(error!.textContent).toContain('Unknown token {YYY} at position 3; did you mean {YYYY}?');
    // The caret line sits under the marked characters.
    expect(error!.querySelector('.format-marked-caret')!.textContent).toBe('   ^^^^^');
    expect(screen.queryByRole('list', { name: 'Next serials' })).toBeNull();
  });

  it('shows every problem at once, and those of other fields under their fields', async () => {
    const user = userEvent.setup();
    const { format } = openAddForm();
    await user.click(format);
    await user.paste('{LINE}{####}}');
    const minLength = screen.getByLabelText('Minimum length');
    await user.clear(minLength);
    await user.type(minLength, '99');
    await waitFor(() => expect(minLength.getAttribute('aria-invalid')).toBe('true'));
    const minError = document.getElementById(minLength.getAttribute('aria-describedby')!.split(' ').at(-1)!)!;
    expect(minError.textContent).toContain('from 1 to 40');
    const formatError = document.getElementById(format.getAttribute('aria-describedby')!.split(' ').at(-1)!)!;
    expect(formatError.querySelector('mark')!.textContent).toBe('}');
  });

  it('refuses to save while core finds errors, and focuses the first marked field', async () => {
    const user = userEvent.setup();
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const { onSaved } = openAddForm();
    await user.click(screen.getByRole('button', { name: 'Create series' }));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'The series was not saved: fix the problems marked in the form.');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Name')));
    expect(fetch).not.toHaveBeenCalled();
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('shows the server\'s refusal at the field it names, with the position marked', async () => {
    const user = userEvent.setup();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        json(
          {
            type: 'about:blank', title: 'Unprocessable', status: 422, code: 'FORMAT_TOKEN_UNKNOWN',
            detail: 'Unknown token {SN} at position 0', field: 'format', position: 0, length: 4,
            problems: [
              { code: 'FORMAT_TOKEN_UNKNOWN', message: 'Unknown token {SN} at position 0', field: 'format', position: 0, length: 4, severity: 'error' },
              { code: 'SERIES_NAME_TAKEN', message: 'A series named "Widgets" exists already', field: 'name', severity: 'error' },
            ],
          },
          422,
        ),
      ),
    );
    const { format } = openAddForm();
    await user.type(screen.getByLabelText('Name'), 'Widgets');
    await user.click(format);
    await user.paste('SN-{####}');
    await user.click(screen.getByRole('button', { name: 'Create series' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The series was not saved');
    await waitFor(() => expect(format.getAttribute('aria-invalid')).toBe('true'));
    expect(document.querySelector('.field-error mark')!.textContent).toBe('SN-{');
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('A series named "Widgets" exists already')).toBeTruthy();
  });
});

describe('series form: choices', () => {
  it('offers every reset rule of core, each with its description, and describes the chosen one', async () => {
    const user = userEvent.setup();
    openAddForm();
    const select = screen.getByLabelText<HTMLSelectElement>('Reset rule');
    const options = within(select).getAllByRole<HTMLOptionElement>('option');
    expect(options.map((o) => o.value)).toEqual([...RESET_RULES]);
    for (const option of options) {
      const description = RESET_RULE_DESCRIPTIONS[option.value as keyof typeof RESET_RULE_DESCRIPTIONS];
      expect(option.textContent.toLowerCase()).toContain(description.toLowerCase());
      expect(option.textContent).toMatch(/^\S.* — /);
    }
    await user.selectOptions(select, 'daily');
    const hint = document.getElementById(select.getAttribute('aria-describedby')!.split(' ')[0]!)!;
    expect(hint.textContent).toContain(RESET_RULE_DESCRIPTIONS.daily);
    // A per-shift reset asks for the shift calendar.
    expect(screen.queryByLabelText('Shift starts')).toBeNull();
    await user.selectOptions(select, 'shift');
    expect(screen.getByLabelText('Shift starts')).toBeTruthy();
  });

  it('prefills the server\'s time zone and asks for a lease size only for leased allocation', async () => {
    const user = userEvent.setup();
    renderWithSession(<SeriesFormDialog onClose={() => undefined} onSaved={() => undefined} />, testSession({ timeZone: 'Europe/Berlin' }));
    expect(screen.getByLabelText<HTMLInputElement>('Time zone').value).toBe('Europe/Berlin');
    expect(screen.queryByLabelText('Lease size')).toBeNull();
    await user.selectOptions(screen.getByLabelText('Allocation'), 'leased');
    expect(screen.getByLabelText<HTMLInputElement>('Lease size').value).toBe('100');
    expect(screen.getByRole('checkbox', { name: 'Global series' })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: 'Let the sequence grow past its width' })).toBeTruthy();
    for (const label of ['Name', 'Description', 'Base', 'Starting value', 'Increment by', 'Minimum length']) expect(screen.getByLabelText(label)).toBeTruthy();
  });

  it('creates a series with what was typed and hands the saved series back', async () => {
    const user = userEvent.setup();
    const fetch = vi.fn(async (_url: string, init: RequestInit) => json({ ...JSON.parse(init.body as string), id: 1 }, 201));
    vi.stubGlobal('fetch', fetch);
    const { format, onSaved } = openAddForm();
    await user.type(screen.getByLabelText('Name'), 'Widgets');
    await user.click(format);
    await user.paste('W-{YYYY}-{#####}');
    await user.selectOptions(screen.getByLabelText('Base'), 'hex');
    await user.selectOptions(screen.getByLabelText('Reset rule'), 'yearly');
    fireEvent.click(screen.getByRole('button', { name: 'Create series' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/v1/series');
    expect(JSON.parse(init.body as string)).toMatchObject({ name: 'Widgets', format: 'W-{YYYY}-{#####}', base: 'hex', reset: 'yearly', minLength: 4, start: '0', increment: '1', timeZone: 'UTC' });
  });
});
