// @ts-check
/**
 * Small pieces every admin tab uses: elements, toasts, the confirm / secret /
 * detail / edit dialogs (one each, in admin.html), the error an action shows,
 * and the site's clock for date inputs. Every word comes from the catalogue:
 * callers pass text they got from `i18n.t`.
 */
import { ApiError, NetworkError } from './admin-api.js';

/** @typedef {import('./i18n.js').I18n} I18n */

/**
 * @typedef {object} Field
 * @property {string} name
 * @property {string} label
 * @property {'text'|'password'|'date'|'datetime-local'|'select'|'textarea'|'checkbox'|'checkboxes'|'number'|'url'} [type]
 * @property {string|boolean|string[]} [value]
 * @property {{ value: string, label: string }[]} [options] for select and checkboxes
 * @property {boolean} [required]
 * @property {string} [hint]
 * @property {Record<string, string>} [attributes]
 */

/**
 * @typedef {object} AdminContext
 * @property {I18n} i18n
 * @property {(text: string, kind?: 'info'|'error') => void} toast
 * @property {(text: string, confirmLabel: string) => Promise<boolean>} confirm
 * @property {(heading: string, secret: string, note?: string) => void} showSecret
 * @property {(heading: string, body: Node) => void} showDetail
 * @property {(options: { heading: string, fields: Field[], confirm: string, submit: (values: Record<string, any>) => Promise<void> }) => void} edit
 * @property {(err: unknown) => string} errorText
 * @property {(sites: Iterable<string|null|undefined>) => void} noteSites
 * @property {() => string} defaultSite
 * @property {(tab: string, filter?: Record<string, string>) => void} show
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [props] properties, `class`, `data-*`, and attributes
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = String(value);
    else if (name.startsWith('data-') || name.startsWith('aria-') || name === 'role' || name === 'list' || name === 'for') element.setAttribute(name, String(value));
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else /** @type {any} */ (element)[name] = value;
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** @template {Element} [T=HTMLElement] @param {ParentNode} root @param {string} selector @returns {T} */
export function part(root, selector) {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`admin page: ${selector} missing`);
  return /** @type {T} */ (found);
}

/**
 * A row button. `danger` asks first (the caller's confirm) — the caller decides.
 * @param {string} label @param {() => void|Promise<void>} onClick @param {{ action?: string, danger?: boolean, disabled?: boolean }} [options]
 */
export function button(label, onClick, options = {}) {
  const b = el('button', { type: 'button', class: options.danger ? 'small danger' : 'small', 'data-action': options.action, disabled: options.disabled });
  b.textContent = label;
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await onClick();
    } finally {
      if (b.isConnected) b.disabled = options.disabled ?? false;
    }
  });
  return b;
}

/**
 * Chooses `value` again after a select's options were rebuilt, if it is still
 * offered (else the browser's default: the first option, not none).
 * @param {HTMLSelectElement} select @param {string} value
 */
export function keepChoice(select, value) {
  if ([...select.options].some((option) => option.value === value)) select.value = value;
}

/** Text that may be empty, shown as a dash. @param {string|number|null|undefined} value */
export const orDash = (value) => (value === null || value === undefined || value === '' ? '—' : String(value));

/**
 * The dialogs and toasts of admin.html, bound to the page's catalogue.
 * @param {I18n} i18n
 */
export function createDialogs(i18n) {
  const toasts = part(document, '#toasts');
  /** @type {HTMLDialogElement} */
  const confirmDialog = part(document, '#confirm-dialog');
  /** @type {HTMLDialogElement} */
  const secretDialog = part(document, '#secret-dialog');
  /** @type {HTMLDialogElement} */
  const detailDialog = part(document, '#detail-dialog');
  /** @type {HTMLDialogElement} */
  const editDialog = part(document, '#edit-dialog');

  /** @param {string} text @param {'info'|'error'} [kind] */
  const toast = (text, kind = 'info') => {
    const item = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' });
    item.textContent = text;
    toasts.append(item);
    setTimeout(() => item.remove(), kind === 'error' ? 9000 : 4000);
  };

  /** @param {unknown} err */
  const errorText = (err) => {
    if (err instanceof ApiError) return i18n.t('admin.error.api', { status: String(err.status), message: err.message });
    if (err instanceof NetworkError) return i18n.t('admin.error.network');
    return i18n.t('admin.error.unexpected', { message: err instanceof Error ? err.message : String(err) });
  };

  /** @param {string} text @param {string} confirmLabel @returns {Promise<boolean>} */
  const confirm = (text, confirmLabel) =>
    new Promise((resolve) => {
      part(confirmDialog, '[data-part="text"]').textContent = text;
      part(confirmDialog, '[data-part="ok"]').textContent = confirmLabel;
      confirmDialog.returnValue = '';
      confirmDialog.addEventListener('close', () => resolve(confirmDialog.returnValue === 'ok'), { once: true });
      confirmDialog.showModal();
    });

  part(secretDialog, '[data-part="close"]').addEventListener('click', () => {
    part(secretDialog, '[data-part="secret"]').textContent = '';
    secretDialog.close();
  });
  part(secretDialog, '[data-part="copy"]').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(part(secretDialog, '[data-part="secret"]').textContent ?? '');
      toast(i18n.t('admin.secret.copied'));
    } catch {
      // No clipboard without a secure context: the admin selects the text.
      const range = document.createRange();
      range.selectNodeContents(part(secretDialog, '[data-part="secret"]'));
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
    }
  });
  /** @param {string} heading @param {string} secret @param {string} [note] */
  const showSecret = (heading, secret, note) => {
    part(secretDialog, '[data-part="heading"]').textContent = heading;
    part(secretDialog, '[data-part="secret"]').textContent = secret;
    const noteElement = part(secretDialog, '[data-part="note"]');
    noteElement.textContent = note ?? '';
    noteElement.hidden = !note;
    secretDialog.showModal();
  };

  part(detailDialog, '[data-part="close"]').addEventListener('click', () => detailDialog.close());
  /** @param {string} heading @param {Node} body */
  const showDetail = (heading, body) => {
    part(detailDialog, '[data-part="heading"]').textContent = heading;
    part(detailDialog, '[data-part="body"]').replaceChildren(body);
    if (!detailDialog.open) detailDialog.showModal();
  };

  const editForm = /** @type {HTMLFormElement} */ (part(editDialog, 'form'));
  /** @type {((values: Record<string, any>) => Promise<void>)|undefined} */
  let submitEdit;
  part(editDialog, '[data-part="back"]').addEventListener('click', () => editDialog.close());
  editForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!submitEdit) return;
    const error = part(editDialog, '[data-part="error"]');
    const missing = missingField(editForm, i18n);
    if (missing) {
      error.textContent = missing;
      error.hidden = false;
      return;
    }
    const ok = /** @type {HTMLButtonElement} */ (part(editDialog, '[data-part="ok"]'));
    ok.disabled = true;
    try {
      await submitEdit(formValues(editForm));
      editDialog.close();
    } catch (err) {
      error.textContent = errorText(err);
      error.hidden = false;
    } finally {
      ok.disabled = false;
    }
  });
  /** @param {{ heading: string, fields: Field[], confirm: string, submit: (values: Record<string, any>) => Promise<void> }} options */
  const edit = (options) => {
    part(editDialog, '[data-part="heading"]').textContent = options.heading;
    part(editDialog, '[data-part="ok"]').textContent = options.confirm;
    part(editDialog, '[data-part="error"]').hidden = true;
    part(editDialog, '[data-part="fields"]').replaceChildren(...options.fields.map(fieldElement));
    submitEdit = options.submit;
    editDialog.showModal();
    /** @type {HTMLElement|null} */ (editDialog.querySelector('input:not([type=hidden]):not([disabled]), select, textarea'))?.focus();
  };

  return { toast, errorText, confirm, showSecret, showDetail, edit };
}

/** @param {Field} field */
export function fieldElement(field) {
  const type = field.type ?? 'text';
  const label = el('span', {}, field.label);
  if (type === 'checkboxes') {
    const chosen = new Set(Array.isArray(field.value) ? field.value : []);
    return el(
      'fieldset',
      { class: 'choices', 'data-field': field.name },
      el('legend', {}, field.label),
      ...(field.options ?? []).map((option) => el('label', { class: 'choice' }, el('input', { type: 'checkbox', name: field.name, value: option.value, checked: chosen.has(option.value) }), option.label)),
    );
  }
  if (type === 'checkbox') {
    return el('label', { class: 'choice', 'data-field': field.name }, el('input', { type: 'checkbox', name: field.name, checked: field.value === true }), field.label);
  }
  /** @type {HTMLInputElement|HTMLSelectElement|HTMLTextAreaElement} */
  let input;
  if (type === 'select') {
    input = el('select', { name: field.name }, ...(field.options ?? []).map((o) => el('option', { value: o.value, selected: o.value === field.value }, o.label)));
  } else if (type === 'textarea') {
    input = el('textarea', { name: field.name, rows: 3, value: typeof field.value === 'string' ? field.value : '' });
  } else {
    input = el('input', { type, name: field.name, value: typeof field.value === 'string' ? field.value : '', autocomplete: 'off' });
  }
  input.required = field.required ?? false;
  for (const [name, value] of Object.entries(field.attributes ?? {})) input.setAttribute(name, value);
  return el('label', { 'data-field': field.name }, label, input, field.hint ? el('small', { class: 'hint' }, field.hint) : null);
}

/**
 * A form's values by name: text as typed (trimmed), checkboxes as booleans,
 * checkbox groups (several with one name) as arrays of the checked values.
 * @param {HTMLFormElement} form
 * @returns {Record<string, any>}
 */
export function formValues(form) {
  /** @type {Record<string, any>} */
  const values = {};
  /** @type {Map<string, number>} */
  const checkboxCount = new Map();
  for (const element of form.querySelectorAll('input[type=checkbox][name]')) {
    const name = /** @type {HTMLInputElement} */ (element).name;
    checkboxCount.set(name, (checkboxCount.get(name) ?? 0) + 1);
  }
  for (const element of form.elements) {
    const input = /** @type {HTMLInputElement} */ (element);
    if (!input.name || input.type === 'file' || input.disabled) continue;
    if (input.type === 'checkbox') {
      if ((checkboxCount.get(input.name) ?? 0) > 1 || input.closest('fieldset.choices')) {
        values[input.name] ??= [];
        if (input.checked) values[input.name].push(input.value);
      } else values[input.name] = input.checked;
    } else if (input.type === 'password') values[input.name] = input.value;
    else values[input.name] = input.value.trim();
  }
  return values;
}

/**
 * The first required field left empty, worded, or undefined.
 * @param {HTMLFormElement} form @param {I18n} i18n
 */
export function missingField(form, i18n) {
  for (const element of form.querySelectorAll('[required]')) {
    const input = /** @type {HTMLInputElement} */ (element);
    if (input.disabled || input.closest('[hidden]')) continue;
    if (input.value.trim() === '') {
      const label = input.closest('label')?.querySelector('span')?.textContent ?? input.name;
      input.focus();
      return i18n.t('admin.error.required', { field: label });
    }
  }
  return undefined;
}

/**
 * A form in the markup that adds something: required fields checked, the
 * error shown in its `[data-part="error"]`, the button busy meanwhile.
 * @param {HTMLFormElement} form @param {AdminContext} ctx @param {(values: Record<string, any>) => Promise<void>} submit
 */
export function wireAddForm(form, ctx, submit) {
  form.noValidate = true;
  const error = part(form, '[data-part="error"]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const missing = missingField(form, ctx.i18n);
    if (missing) {
      error.textContent = missing;
      error.hidden = false;
      return;
    }
    const submitButton = /** @type {HTMLButtonElement|null} */ (form.querySelector('button[type=submit]'));
    if (submitButton) submitButton.disabled = true;
    try {
      await submit(formValues(form));
    } catch (err) {
      error.textContent = ctx.errorText(err);
      error.hidden = false;
    } finally {
      if (submitButton) submitButton.disabled = false;
    }
  });
}

// --- the site's clock -------------------------------------------------------

/** @param {number} epoch @param {string} timeZone @returns {Record<string, number>} */
function zonedParts(epoch, timeZone) {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  /** @type {Record<string, number>} */
  const parts = {};
  for (const p of format.formatToParts(epoch)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts;
}

/** How far the zone is ahead of UTC at `epoch`, in ms. @param {number} epoch @param {string} timeZone */
function zoneOffset(epoch, timeZone) {
  const p = zonedParts(epoch, timeZone);
  return Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0) - Math.floor(epoch / 1000) * 1000;
}

/**
 * Epoch ms of a wall-clock time at the site (whatever this PC's own zone).
 * @param {string} text `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]` as a date or datetime-local input gives it
 * @param {string} timeZone
 * @param {boolean} [endOfDay] a bare date means its last millisecond (an inclusive "valid until")
 * @returns {number|undefined}
 */
export function siteEpoch(text, timeZone, endOfDay = false) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const bareDate = m[4] === undefined;
  const [hour, minute, second, ms] = bareDate && endOfDay ? [23, 59, 59, 999] : [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0];
  const guess = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const first = guess - zoneOffset(guess, timeZone);
  const second2 = guess - zoneOffset(first, timeZone);
  return second2;
}

/**
 * The value a date (`withTime` false) or datetime-local input shows for `epoch` at the site.
 * @param {number} epoch @param {string} timeZone @param {boolean} withTime
 */
export function siteInputValue(epoch, timeZone, withTime) {
  const p = zonedParts(epoch, timeZone);
  const two = (/** @type {number|undefined} */ n) => String(n ?? 0).padStart(2, '0');
  const date = `${p.year}-${two(p.month)}-${two(p.day)}`;
  return withTime ? `${date}T${two(p.hour)}:${two(p.minute)}` : date;
}

/** A date (no time) at the site, in the page's language. @param {I18n} i18n @param {number} epoch */
export function siteDate(i18n, epoch) {
  return new Intl.DateTimeFormat(i18n.locale, { timeZone: i18n.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(epoch);
}
