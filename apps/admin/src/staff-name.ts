import { StaffNames } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { client } from './console-client.js';

/**
 * The console's staff names: one store for every page, so a name read on the approvals queue is not
 * asked again on the policy page or the audit trail.
 */
export const consoleStaffNames = new StaffNames(client);

/**
 * A staff actor (`staff:RM001`) as people read it, `王芳 · RM001`, its name read when first
 * shown; any other actor as it is. Light DOM, so it reads as the text around it.
 */
export class StaffName extends LitElement {
  static override properties = { actor: {} };

  declare actor: string | undefined;

  readonly #names = new StoreController(this, consoleStaffNames);

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('actor') && this.actor) void this.#names.store.need([this.actor]);
  }

  override render() {
    return this.actor ? this.#names.store.label(this.actor) : nothing;
  }
}

if (!customElements.get('admin-staff-name')) customElements.define('admin-staff-name', StaffName);

/** `actor` by name with its id wherever a page shows who did something. */
export function staffName(actor: string): TemplateResult {
  return html`<admin-staff-name .actor=${actor}></admin-staff-name>`;
}

/**
 * Who acted as a person: the staff member the API says is behind `actor` (`…ByStaff`: their staff token
 * or a key they own) by name, else `actor` as it is — never `key:key_…` for a key someone owns.
 */
export function personActor(actor: string, staff: string | null | undefined): string {
  return staff ? `staff:${staff}` : actor;
}
