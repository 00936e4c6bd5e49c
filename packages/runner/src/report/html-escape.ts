/** Characters with a meaning in HTML text or in a quoted attribute value. */
const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML text content and quoted attribute values (in HTML
 * and inline SVG alike). Everything that comes from a results file
 * (benchmark names, errors, warnings, device strings) goes through here:
 * a results file is data, and must never become markup or script.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}
