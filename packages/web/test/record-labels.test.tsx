import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RecordDetailsDialog } from '../src/records/record-details-dialog';
import type { RecordDetails } from '../src/records/record-types';
import { details, installDomShims, json, makeSession, problem, record, renderSignedIn, stubFetch, type Call } from './records-fixtures';

beforeAll(installDomShims);
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const GS = '\u001d';

function gs1Record(overrides: Partial<RecordDetails> = {}): RecordDetails {
  return details(
    record(1, {
      serial: 'A1B2C3',
      series: 'Vials',
      lot: 'L2025-06',
      expiry: '2027-06-30',
      labelPrints: 0,
      gs1: {
        gtin: '09520123456788',
        sscc: null,
        ais: [
          { ai: '01', value: '09520123456788' },
          { ai: '17', value: '270630' },
          { ai: '10', value: 'L2025-06' },
          { ai: '21', value: 'A1B2C3' },
        ],
        bracketed: '(01)09520123456788(17)270630(10)L2025-06(21)A1B2C3',
        elementString: `010952012345678817270630${'10L2025-06'}${GS}21A1B2C3`,
        digitalLink: 'https://id.gs1.org/01/09520123456788/21/A1B2C3?17=270630&10=L2025-06',
        epcUrn: 'urn:epc:id:sgtin:952012.0345678.A1B2C3',
      },
    }),
    overrides,
  );
}

const TEMPLATES = {
  templates: [
    {
      name: 'gs1-product',
      builtIn: true,
      version: 0,
      updatedAt: null,
      updatedBy: null,
      template: { name: 'gs1-product', description: 'GS1 DataMatrix product label', width: 50, height: 30, dpi: 300, barcode: { type: 'gs1-datamatrix', data: '{elementString}', x: 2, y: 2, size: 20 }, lines: [] },
    },
    {
      name: 'small',
      builtIn: false,
      version: 2,
      updatedAt: '2025-06-01T00:00:00.000Z',
      updatedBy: 'user:qe',
      template: { name: 'small', description: '', width: 30, height: 20, dpi: 203, barcode: { type: 'qr', data: '{serial}', x: 1, y: 1, size: 15 }, lines: [] },
    },
  ],
};

function png(print: number): Response {
  return new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), {
    status: 200,
    headers: { 'content-type': 'image/png', 'serialtrace-label-print': String(print), 'serialtrace-label-template': 'small' },
  });
}

function openDetails(answer: (call: Call) => Response | Promise<Response>, role = 'operator') {
  const onChanged = vi.fn();
  const stub = stubFetch(answer);
  renderSignedIn(<RecordDetailsDialog serial="A1B2C3" series="Vials" onClose={() => undefined} onChanged={onChanged} />, makeSession(role));
  return { ...stub, onChanged };
}

function stubBlobUrls() {
  const created = vi.fn((_blob: Blob) => 'blob:label');
  const revoked = vi.fn((_url: string) => undefined);
  URL.createObjectURL = created;
  URL.revokeObjectURL = revoked;
  return { created, revoked };
}

describe('record details: GS1', () => {
  it('shows the GTIN, lot, expiry and every notation, with GS as a visible marker and the Digital Link as a link', async () => {
    openDetails(({ url }) => (url.pathname === '/api/v1/label-templates' ? json(TEMPLATES) : json(gs1Record())));
    const heading = await screen.findByRole('heading', { name: 'GS1' });
    const block = heading.closest('section')!;
    const value = (term: string) => within(block).getByText(term, { selector: 'dt' }).nextElementSibling!;
    expect(value('GTIN').textContent).toBe('09520123456788');
    expect(value('Lot').textContent).toBe('L2025-06');
    expect(value('Expiry').textContent).toBe('2027-06-30');
    expect(value('Element string').textContent).toBe('01095201234567881727063010L2025-06⟨GS⟩21A1B2C3');
    expect(within(block).getByLabelText('group separator').textContent).toBe('⟨GS⟩');
    expect(value('Bracketed').textContent).toBe('(01)09520123456788(17)270630(10)L2025-06(21)A1B2C3');
    const link = within(block).getByRole('link', { name: /id\.gs1\.org/ });
    expect(link.getAttribute('href')).toBe('https://id.gs1.org/01/09520123456788/21/A1B2C3?17=270630&10=L2025-06');
    expect(value('EPC URN').textContent).toBe('urn:epc:id:sgtin:952012.0345678.A1B2C3');
  });

  it('has no GS1 block for a record without GS1 data, and lists the prints a record had', async () => {
    const plain = details(record(1, { serial: 'A1B2C3', series: 'Vials', status: 'printed', labelPrints: 2 }), {
      prints: [
        { print: 1, at: '2025-06-15T08:31:00.000Z', actor: 'user:ana', station: 'ST-1', template: 'serial', format: 'png' },
        { print: 2, at: '2025-06-15T08:40:00.000Z', actor: 'user:ana', station: null, template: 'serial', format: 'zpl' },
      ],
    });
    openDetails(({ url }) => (url.pathname === '/api/v1/label-templates' ? json(TEMPLATES) : json(plain)), 'viewer');
    await screen.findByRole('heading', { name: 'Labels' });
    expect(screen.queryByRole('heading', { name: 'GS1' })).toBeNull();
    expect(screen.getByText('Label prints:').parentElement!.textContent).toContain('2');
    const prints = screen.getByRole('region', { name: 'Label prints' });
    const rows = within(prints).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[2]!).getByText('#2')).toBeTruthy();
    expect(within(rows[2]!).getByText('ZPL')).toBeTruthy();
    // A viewer may not print.
    expect(screen.queryByRole('button', { name: 'Print label' })).toBeNull();
  });
});

describe('record details: Print label', () => {
  it('prints with the chosen template and format, downloads the label, says which print it was and refreshes the record', async () => {
    const { created } = stubBlobUrls();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    let printed = false;
    const { calls, onChanged } = openDetails(({ url, method }) => {
      if (url.pathname === '/api/v1/label-templates') return json(TEMPLATES);
      if (method === 'POST' && url.pathname === '/api/v1/records/A1B2C3/label') {
        printed = true;
        return png(1);
      }
      return json(
        printed
          ? gs1Record({ status: 'printed', labelPrints: 1, prints: [{ print: 1, at: '2025-06-15T09:00:00.000Z', actor: 'user:jane', station: null, template: 'small', format: 'png' }] })
          : gs1Record(),
      );
    });
    const user = userEvent.setup();
    const template = await screen.findByRole<HTMLSelectElement>('combobox', { name: 'Label template' });
    await waitFor(() => expect(within(template).getAllByRole('option')).toHaveLength(3));
    expect(within(template).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Default for this record',
      'gs1-product (built-in) — GS1 DataMatrix product label',
      'small',
    ]);
    await user.selectOptions(template, 'small');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Label format' }), 'png');
    await user.click(screen.getByRole('button', { name: 'Print label' }));

    const done = await screen.findByText('Print #1 recorded.');
    expect(done.getAttribute('role')).toBe('status');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url.pathname).toBe('/api/v1/records/A1B2C3/label');
    expect(post.body).toEqual({ template: 'small', format: 'png', series: 'Vials' });
    // The label was handed to the browser as a file.
    expect(created).toHaveBeenCalledTimes(1);
    expect(created.mock.calls[0]![0].type).toBe('image/png');
    expect(click).toHaveBeenCalled();
    // The record was read again: it is printed now, with its print listed.
    await waitFor(() => expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ status: 'printed', labelPrints: 1 })));
    const refresh = calls.filter((c) => c.method === 'GET' && c.url.pathname === '/api/v1/records/A1B2C3');
    expect(refresh).toHaveLength(2);
    expect(refresh[1]!.url.searchParams.get('series')).toBe('Vials');
    expect(await screen.findByRole('region', { name: 'Label prints' })).toBeTruthy();
    expect(screen.getAllByText('Printed').length).toBeGreaterThan(0);
  });

  it('shows a refusal with the shared error notice and records nothing', async () => {
    const { created } = stubBlobUrls();
    const { onChanged } = openDetails(({ url, method }) => {
      if (url.pathname === '/api/v1/label-templates') return json(TEMPLATES);
      if (method === 'POST') return problem('LABEL_PRINT_REFUSED', 'The label of A1B2C3 is not printed: the record is voided', 409);
      return json(gs1Record({ status: 'voided' }));
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Print label' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the record is voided');
    expect(onChanged).not.toHaveBeenCalled();
    expect(created).not.toHaveBeenCalled();
  });

  it('previews the label as an image from renderDocument, and revokes its address when closed', async () => {
    const { revoked } = stubBlobUrls();
    const { calls } = openDetails(({ url }) => {
      if (url.pathname === '/api/v1/label-templates') return json(TEMPLATES);
      if (url.pathname === '/api/v1/documents') return png(0);
      return json(gs1Record());
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Preview' }));
    const image = await screen.findByRole<HTMLImageElement>('img', { name: 'Label of A1B2C3' });
    expect(image.getAttribute('src')).toBe('blob:label');
    const render = calls.find((c) => c.url.pathname === '/api/v1/documents')!;
    expect(render.body).toEqual({ format: 'png', serial: 'A1B2C3', series: 'Vials' });
    expect(calls.some((c) => c.url.pathname.endsWith('/label'))).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Close preview' }));
    expect(screen.queryByRole('img', { name: 'Label of A1B2C3' })).toBeNull();
    expect(revoked).toHaveBeenCalledWith('blob:label');
  });
});
